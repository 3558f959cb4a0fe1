// slowlock: the shape of deadlock-lock-chan that is not a deadlock. A
// publisher sends on an unbuffered channel while it holds the registry's
// lock, and the receiver it passed the channel to waits for that lock; but
// a drainer that reaches the channel through a closure (no argument shows
// it) receives after a while, and everything moves on. Two goroutine dumps
// (debug=2) are written: one while they wait, one after they moved on.
//
//	slowlock DIR    writes DIR/goroutines-1.txt and DIR/goroutines-2.txt
package main

import (
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"
)

type registry struct {
	mu    sync.Mutex
	items map[int]int
}

func (r *registry) publish(events chan<- int, v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[v] = v
	events <- v
}

func (r *registry) consume(events <-chan int) {
	for v := range events {
		time.Sleep(20 * time.Millisecond)
		r.mu.Lock()
		delete(r.items, v)
		r.mu.Unlock()
	}
}

func (r *registry) produce(events chan<- int) {
	for i := 0; i < 3; i++ {
		r.publish(events, i)
	}
	for {
		time.Sleep(time.Hour)
	}
}

func dump(path string) {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
}

func main() {
	dir := os.Args[1]
	r := &registry{items: map[int]int{}}
	events := make(chan int)
	go func() {
		time.Sleep(1500 * time.Millisecond)
		for {
			<-events
		}
	}()
	go r.consume(events)
	go r.produce(events)
	time.Sleep(700 * time.Millisecond)
	dump(filepath.Join(dir, "goroutines-1.txt"))
	time.Sleep(2500 * time.Millisecond)
	dump(filepath.Join(dir, "goroutines-2.txt"))
}
