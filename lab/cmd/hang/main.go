// hang: a service that hangs the way real ones do, for `godiag attach`.
// Two transfers take the same two account locks in opposite orders and
// deadlock (AB/BA); an audit queues behind them; thousands of request
// goroutines wait on a channel nobody sends on; and a heartbeat keeps
// printing, so the process is alive and the runtime sees no deadlock.
//
//	hang [-parked N] [-own-replies] [-beat D]
//
// With -own-replies each request waits on a reply channel of its own (one
// goroutine per request, each leaked on its own channel), not a shared one.
//
// It prints "ready PID" once the deadlock is in place, then "beat N" every
// beat, and "signal NAME" for each SIGUSR1 it gets.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

type account struct {
	mu      sync.Mutex
	balance int
}

type ledger struct {
	from, to account
	ready    sync.WaitGroup // both transfers hold their first lock
}

func (l *ledger) transferOut(n int) {
	l.from.mu.Lock()
	defer l.from.mu.Unlock()
	l.ready.Done()
	l.ready.Wait()
	l.to.mu.Lock()
	defer l.to.mu.Unlock()
	l.from.balance -= n
	l.to.balance += n
}

func (l *ledger) transferBack(n int) {
	l.to.mu.Lock()
	defer l.to.mu.Unlock()
	l.ready.Done()
	l.ready.Wait()
	l.from.mu.Lock()
	defer l.from.mu.Unlock()
	l.to.balance -= n
	l.from.balance += n
}

func (l *ledger) audit() int {
	l.from.mu.Lock()
	defer l.from.mu.Unlock()
	return l.from.balance
}

// A request that waits for a reply that never comes.
func handle(id int, replies chan int) int {
	return <-replies + id
}

func main() {
	parked := flag.Int("parked", 5000, "request goroutines parked on a channel")
	own := flag.Bool("own-replies", false, "each request waits on a reply channel of its own")
	beat := flag.Duration("beat", 20*time.Millisecond, "heartbeat interval")
	flag.Parse()

	l := &ledger{}
	l.ready.Add(2)
	go l.transferOut(10)
	go l.transferBack(5)
	replies := make(chan int)
	for i := 0; i < *parked; i++ {
		if *own {
			go handle(i, make(chan int))
		} else {
			go handle(i, replies)
		}
	}
	// Both transfers hold their first lock and wait for the second.
	time.Sleep(200 * time.Millisecond)
	go l.audit()
	time.Sleep(50 * time.Millisecond)

	usr1 := make(chan os.Signal, 4)
	signal.Notify(usr1, syscall.SIGUSR1)
	fmt.Printf("ready %d\n", os.Getpid())
	tick := time.NewTicker(*beat)
	for n := 1; ; n++ {
		select {
		case <-tick.C:
			fmt.Printf("beat %d\n", n)
		case s := <-usr1:
			fmt.Printf("signal %v\n", s)
		}
	}
}
