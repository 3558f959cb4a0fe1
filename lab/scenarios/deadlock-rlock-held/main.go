// deadlock-rlock-held: snapshot() holds the read lock while it sends on a channel no one
// receives from; a writer queues its Lock behind it, and a reader its RLock behind the
// writer → "all goroutines are asleep - deadlock!" with the holder in [chan send], the
// writer in [sync.RWMutex.Lock] and the reader in [sync.RWMutex.RLock], which only waits.
package main

import (
	"sync"
	"time"
)

type store struct {
	mu   sync.RWMutex
	data map[string]int
}

func (s *store) snapshot(out chan<- map[string]int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out <- s.data // godiag:root-cause
}

func (s *store) set(k string, v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[k] = v
}

func (s *store) get(k string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.data[k]
}

func main() {
	s := &store{data: map[string]int{"a": 1}}
	out := make(chan map[string]int) // nobody receives
	var wg sync.WaitGroup
	wg.Add(2)
	go s.snapshot(out)
	time.Sleep(50 * time.Millisecond)
	go func() {
		defer wg.Done()
		s.set("b", 2)
	}()
	time.Sleep(50 * time.Millisecond)
	go func() {
		defer wg.Done()
		println(s.get("a"))
	}()
	wg.Wait()
}
