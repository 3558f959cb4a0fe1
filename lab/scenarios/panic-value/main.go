// panic-value: panic with a plain struct value of a named type (no Error/String
// method) → "panic: (main.Point) 0x..."-style output rather than a message.
package main

type Point struct{ X, Y int }

func check(p Point) {
	if p.X < 0 {
		panic(p) // godiag:root-cause
	}
}

func main() {
	check(Point{X: -1, Y: 7})
}
