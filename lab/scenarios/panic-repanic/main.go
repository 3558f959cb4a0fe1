// panic-repanic: a deferred recover re-panics with the same value
// → "panic: X [recovered]" + "\tpanic: X" (≤1.24) or "panic: X [recovered, repanicked]" (1.25+).
package main

import (
	"errors"
	"fmt"
	"os"
)

var errBroken = errors.New("handler: broken invariant")

func guard() {
	if r := recover(); r != nil {
		fmt.Fprintln(os.Stdout, "recovered, re-panicking")
		panic(r)
	}
}

func handle() {
	defer guard()
	panic(errBroken) // godiag:root-cause
}

func main() {
	handle()
}
