// deadlock-minutes: transfer and refund take the same two locks in opposite orders and
// deadlock (AB/BA); a worker keeps ticking, so the runtime sees no deadlock. After two
// forced GCs (the second stamps the parked goroutines' wait start) the program sleeps 65 s
// and writes a debug=2 dump ($LAB_DUMP_PREFIX.debug2-1.txt, "1 minutes"), then 60 s later a
// second ($LAB_DUMP_PREFIX.debug2-2.txt, "2 minutes"): the same goroutines at the same lines.
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

type ledger struct {
	a, b  sync.Mutex
	ready sync.WaitGroup // both hold their first lock
}

func (l *ledger) transfer() {
	l.a.Lock()
	defer l.a.Unlock()
	l.ready.Done()
	l.ready.Wait()
	l.b.Lock() // godiag:root-cause
	defer l.b.Unlock()
}

func (l *ledger) refund() {
	l.b.Lock()
	defer l.b.Unlock()
	l.ready.Done()
	l.ready.Wait()
	l.a.Lock()
	defer l.a.Unlock()
}

func tick() {
	for {
		time.Sleep(10 * time.Millisecond)
	}
}

func dump(name string) {
	f, err := os.Create(os.Getenv("LAB_DUMP_PREFIX") + "." + name + ".txt")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
}

func main() {
	l := &ledger{}
	l.ready.Add(2)
	go tick()
	go l.transfer()
	go l.refund()
	time.Sleep(100 * time.Millisecond)
	runtime.GC() // the first GC's mark phase sees work.tstart == 0 and stamps nothing
	runtime.GC()
	time.Sleep(65 * time.Second)
	dump("debug2-1")
	time.Sleep(60 * time.Second)
	dump("debug2-2")
}
