// slice-bounds: slicing past the capacity
// → "panic: runtime error: slice bounds out of range [:10] with capacity 4".
package main

import "fmt"

//go:noinline
func head(b []byte, n int) []byte {
	return b[:n] // godiag:root-cause
}

func main() {
	b := make([]byte, 4)
	fmt.Println(head(b, 10))
}
