// goroutine-panic: main starts a dispatcher goroutine, which starts a job goroutine that
// panics. With GODEBUG=tracebackancestors=5 the trace adds "[originating from goroutine N]:".
package main

import (
	"fmt"
	"time"
)

func runJob(n int) {
	if n > 2 {
		panic(fmt.Sprintf("job %d: quota exceeded", n)) // godiag:root-cause
	}
}

func dispatch() {
	for n := 1; n <= 3; n++ {
		go runJob(n)
		time.Sleep(10 * time.Millisecond)
	}
	select {}
}

func main() {
	go dispatch()
	time.Sleep(5 * time.Second)
}
