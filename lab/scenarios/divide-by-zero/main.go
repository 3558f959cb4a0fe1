// divide-by-zero: integer division by a zero variable
// → "panic: runtime error: integer divide by zero".
package main

import "fmt"

//go:noinline
func average(sum, count int) int {
	return sum / count // godiag:root-cause
}

func main() {
	fmt.Println(average(10, 0))
}
