// oom-huge-alloc: one 4 GiB allocation under `ulimit -v 2000000` (set by regen.sh)
// → "runtime: out of memory: cannot allocate ..." + "fatal error: out of memory".
package main

import "fmt"

//go:noinline
func load(n int) []byte {
	buf := make([]byte, n) // godiag:root-cause
	buf[n-1] = 1
	return buf
}

func main() {
	fmt.Println(len(load(4 << 30)))
}
