// stack-overflow-recursion: unbounded direct recursion → "goroutine stack exceeds
// 1000000000-byte limit", "fatal error: stack overflow", "...N frames elided...".
package main

import "fmt"

func depth(n int) int {
	return depth(n+1) + 1 // godiag:root-cause
}

func main() {
	fmt.Println(depth(0))
}
