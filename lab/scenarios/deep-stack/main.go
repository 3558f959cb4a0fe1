// deep-stack: a panic 300 calls deep → only the 50 innermost and 50 outermost frames
// are printed, with "...N frames elided..." between them.
package main

func walk(depth int) int {
	if depth == 300 {
		panic("walk: reached depth limit") // godiag:root-cause
	}
	return walk(depth+1) + 1
}

func main() {
	walk(0)
}
