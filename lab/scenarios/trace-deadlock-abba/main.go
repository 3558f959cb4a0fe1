// trace-deadlock-abba: two transfers take the same two account locks in opposite orders and
// deadlock (AB/BA) while an execution trace runs; workers keep running, so the runtime sees
// no deadlock. transferOut blocks first: it waits for transferBack to hold its first lock.
// After 1 s without a completed transfer, main stops the trace (trace.out in
// $LAB_FILES_DIR) and exits.
package main

import (
	"os"
	"path/filepath"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

type account struct {
	mu      sync.Mutex
	balance int
}

type bank struct {
	from, to account
	backHolds chan struct{} // transferBack holds to.mu
	done      atomic.Int64
}

func (b *bank) transferOut(n int) {
	b.from.mu.Lock()
	defer b.from.mu.Unlock()
	<-b.backHolds
	b.to.mu.Lock() // godiag:root-cause
	defer b.to.mu.Unlock()
	b.from.balance -= n
	b.to.balance += n
	b.done.Add(1)
}

func (b *bank) transferBack(n int) {
	b.to.mu.Lock()
	defer b.to.mu.Unlock()
	close(b.backHolds)
	// Let transferOut block on to.mu first.
	time.Sleep(20 * time.Millisecond)
	b.from.mu.Lock()
	defer b.from.mu.Unlock()
	b.to.balance -= n
	b.from.balance += n
	b.done.Add(1)
}

// Other work that goes on: the program as a whole is not asleep.
func worker(ticks *atomic.Int64) {
	for {
		time.Sleep(5 * time.Millisecond)
		ticks.Add(1)
	}
}

func main() {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "trace.out"))
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	b := &bank{backHolds: make(chan struct{})}
	b.from.balance = 100
	var ticks atomic.Int64
	for i := 0; i < 2; i++ {
		go worker(&ticks)
	}
	go b.transferOut(10)
	go b.transferBack(5)
	for stalled := time.Duration(0); stalled < time.Second; stalled += 100 * time.Millisecond {
		last := b.done.Load()
		time.Sleep(100 * time.Millisecond)
		if b.done.Load() != last {
			stalled = 0
		}
	}
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
