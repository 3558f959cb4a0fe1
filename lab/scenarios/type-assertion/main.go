// type-assertion: a single-value type assertion to the wrong type
// → "panic: interface conversion: interface {} is string, not int".
package main

import "fmt"

//go:noinline
func asInt(v any) int {
	return v.(int) // godiag:root-cause
}

func main() {
	fmt.Println(asInt("42"))
}
