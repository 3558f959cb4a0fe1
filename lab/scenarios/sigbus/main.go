// sigbus: read from an mmapped file after it was truncated → SIGBUS,
// "unexpected fault address" + "fatal error: fault".
package main

import (
	"fmt"
	"os"
	"syscall"
)

func main() {
	f, err := os.CreateTemp("", "godiag-sigbus-*")
	if err != nil {
		panic(err)
	}
	os.Remove(f.Name())
	if err := f.Truncate(2 * 4096); err != nil {
		panic(err)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, 2*4096, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		panic(err)
	}
	f.Truncate(0) // the mapping now points past the end of the file
	fmt.Println(data[4096]) // godiag:root-cause
}
