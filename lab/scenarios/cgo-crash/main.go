// cgo-crash (CGO_ENABLED=1): a C function dereferences NULL → SIGSEGV in C code,
// "signal arrived during cgo execution". The Go caller is main.readCounter.
package main

/*
static int read_counter(volatile int *p) {
	return *p;
}
*/
import "C"

import "fmt"

func readCounter() int {
	return int(C.read_counter(nil)) // godiag:root-cause
}

func main() {
	fmt.Println(readCounter())
}
