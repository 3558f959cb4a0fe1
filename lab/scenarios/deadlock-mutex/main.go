// deadlock-mutex: update() locks a mutex its caller already holds (sync.Mutex is not
// reentrant) → "all goroutines are asleep - deadlock!" with [sync.Mutex.Lock].
package main

import "sync"

type store struct {
	mu sync.Mutex
	n  int
}

func (s *store) update() {
	s.mu.Lock() // godiag:root-cause
	defer s.mu.Unlock()
	s.n++
}

func main() {
	s := &store{}
	s.mu.Lock()
	s.update()
	s.mu.Unlock()
}
