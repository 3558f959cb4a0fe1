// core-wait-minutes: goroutines blocked for more than a minute when the program
// crashes, so the crash output prints "[chan receive, 1 minutes]" and a core holds the
// same in g.waitsince. Five handlers block at once and a GC records their wait; 65 s
// later three more block, another GC runs, and main dereferences nil. Slow (65 s): only
// made when named, `LAB_CORE_SCENARIOS=core-wait-minutes lab/cores.sh`.
package main

import (
	"runtime"
	"time"
)

type reply struct{ body string }

func wait(ch <-chan reply) {
	r := <-ch
	println(r.body)
}

func main() {
	ch := make(chan reply)
	for i := 0; i < 5; i++ {
		go wait(ch)
	}
	time.Sleep(100 * time.Millisecond)
	runtime.GC() // finds the five blocked: their waitsince is this GC's start
	time.Sleep(65 * time.Second)
	for i := 0; i < 3; i++ {
		go wait(ch)
	}
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	var p *reply
	println(p.body) // godiag:root-cause
}
