// bad-address: reading through a non-nil pointer to unmapped memory (0xdead0000)
// → "unexpected fault address" + "fatal error: fault" (not a recoverable nil panic).
package main

import (
	"fmt"
	"unsafe"
)

//go:noinline
func readAt(addr uintptr) int {
	return *(*int)(unsafe.Pointer(addr)) // godiag:root-cause
}

func main() {
	fmt.Println(readAt(0xdead0000))
}
