// deadlock-lock-chan: a publisher sends an event on an unbuffered channel while it holds the
// registry's lock; the only receiver, handling the previous event, waits for that same lock.
// Neither can go on (lock ↔ channel). Workers keep running, so the runtime sees no deadlock;
// a watchdog writes a goroutine dump and a second one 300 ms later, stops the execution trace
// it started, and panics when events stop being handled.
package main

import (
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

type registry struct {
	mu      sync.Mutex
	items   map[int]int
	handled atomic.Int64
}

func (r *registry) publish(events chan<- int, v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[v] = v
	events <- v // godiag:root-cause
}

func (r *registry) consume(events <-chan int) {
	for v := range events {
		// Handling takes a moment: by then the publisher holds the lock again.
		time.Sleep(20 * time.Millisecond)
		r.mu.Lock()
		delete(r.items, v)
		r.mu.Unlock()
		r.handled.Add(1)
	}
}

func (r *registry) produce(events chan<- int) {
	for i := 0; ; i++ {
		r.publish(events, i)
	}
}

// Other work that goes on: the program as a whole is not asleep.
func worker(ticks *atomic.Int64) {
	for {
		time.Sleep(5 * time.Millisecond)
		ticks.Add(1)
	}
}

func watchdog(r *registry) {
	last, stalled := r.handled.Load(), time.Duration(0)
	for {
		time.Sleep(100 * time.Millisecond)
		if now := r.handled.Load(); now != last {
			last, stalled = now, 0
			continue
		}
		stalled += 100 * time.Millisecond
		if stalled >= time.Second {
			dump("goroutines.debug2.txt")
			// A second dump later: the same goroutines, still stuck.
			time.Sleep(300 * time.Millisecond)
			dump("goroutines-later.debug2.txt")
			trace.Stop()
			panic("watchdog: no event handled for 1s")
		}
	}
}

func dump(name string) {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), name))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
}

func main() {
	t, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "trace.out"))
	if err != nil {
		panic(err)
	}
	if err := trace.Start(t); err != nil {
		panic(err)
	}
	r := &registry{items: map[int]int{}}
	events := make(chan int)
	var ticks atomic.Int64
	for i := 0; i < 2; i++ {
		go worker(&ticks)
	}
	go r.consume(events)
	go r.produce(events)
	watchdog(r)
}
