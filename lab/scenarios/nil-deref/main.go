// nil-deref: main.deref reads a field through a nil *T (SIGSEGV → runtime panic),
// while a few other goroutines stay parked so GOTRACEBACK=all/system show them.
package main

import (
	"fmt"
	"time"
)

type T struct{ X int }

func park(ch chan int) { <-ch }

//go:noinline
func deref(t *T) int {
	return t.X // godiag:root-cause
}

func main() {
	ch := make(chan int)
	for i := 0; i < 2; i++ {
		go park(ch)
	}
	go time.Sleep(time.Hour)
	time.Sleep(100 * time.Millisecond)
	var t *T
	fmt.Println(deref(t))
}
