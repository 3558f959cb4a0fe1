// checkptr (build with -gcflags=all=-d=checkptr): converting a misaligned address
// to a pointer-carrying type → "fatal error: checkptr: misaligned pointer conversion".
package main

import (
	"fmt"
	"unsafe"
)

type node struct {
	next *node
	val  int
}

//go:noinline
func view(buf []byte) *node {
	return (*node)(unsafe.Pointer(&buf[1])) // godiag:root-cause
}

func main() {
	buf := make([]byte, 64)
	fmt.Println(view(buf) != nil)
}
