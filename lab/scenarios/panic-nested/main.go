// panic-nested: a deferred cleanup panics while the goroutine is already panicking
// → "panic: first" then "\tpanic: cleanup failed" (the first panic is the root cause).
package main

import "errors"

func cleanup() {
	panic(errors.New("cleanup failed"))
}

func process() {
	defer cleanup()
	panic("process: unexpected state") // godiag:root-cause
}

func main() {
	process()
}
