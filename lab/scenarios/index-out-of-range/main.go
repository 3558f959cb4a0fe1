// index-out-of-range: indexing a slice with an index equal to its length
// → "panic: runtime error: index out of range [3] with length 3".
package main

import "fmt"

//go:noinline
func nth(xs []string, i int) string {
	return xs[i] // godiag:root-cause
}

func main() {
	xs := []string{"a", "b", "c"}
	fmt.Println(nth(xs, len(xs)))
}
