// stack-overflow-stringer: a String method formats its own receiver with %v, so fmt
// calls String again forever → "fatal error: stack overflow" through fmt frames.
package main

import "fmt"

type Celsius float64

func (c Celsius) String() string {
	return fmt.Sprintf("%v°C", c) // godiag:root-cause
}

func main() {
	fmt.Println(Celsius(21.5))
}
