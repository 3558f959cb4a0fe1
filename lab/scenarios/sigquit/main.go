// sigquit: a hung program (main waits for a result that never comes, other goroutines
// blocked on a mutex, a select, a sleep and a channel); regen.sh sends SIGQUIT after
// ~1 s → "SIGQUIT: quit" and a dump of every goroutine. Nothing crashed: a hang dump.
package main

import (
	"sync"
	"time"
)

var mu sync.Mutex

func lockedWorker() {
	mu.Lock()
	defer mu.Unlock()
}

func selectLoop(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

func main() {
	results := make(chan int)
	mu.Lock()
	go lockedWorker()
	go selectLoop(make(chan int), make(chan int))
	go time.Sleep(time.Hour)
	go func() { results <- 1; results <- 2 }()
	<-results
	<-results
	<-results // godiag:root-cause
}
