// deadlock-rlock-recursive: sum() holds the read lock and calls get(), which takes it
// again; a writer queued its Lock in between, so the second RLock waits for the writer
// and the writer for the first RLock → "all goroutines are asleep - deadlock!" with
// main in [sync.RWMutex.RLock] and the writer in [sync.RWMutex.Lock].
package main

import (
	"sync"
	"time"
)

type index struct {
	mu sync.RWMutex
	m  map[string]int
}

func (x *index) get(k string) int {
	x.mu.RLock() // godiag:root-cause
	defer x.mu.RUnlock()
	return x.m[k]
}

func (x *index) sum(keys []string, locked chan<- struct{}) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	locked <- struct{}{}
	// Let the writer queue its Lock.
	time.Sleep(100 * time.Millisecond)
	total := 0
	for _, k := range keys {
		total += x.get(k)
	}
	return total
}

func (x *index) set(k string, v int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.m[k] = v
}

func main() {
	x := &index{m: map[string]int{"a": 1, "b": 2}}
	locked := make(chan struct{})
	done := make(chan struct{})
	go func() {
		<-locked
		x.set("c", 3)
		close(done)
	}()
	println(x.sum([]string{"a", "b"}, locked))
	<-done
}
