// deadlock-abba: two transfers take the same two account locks in opposite orders and
// deadlock (AB/BA); an audit blocks behind them; workers keep running, so the runtime sees
// no deadlock; a watchdog writes a goroutine dump and panics when transfers stop progressing.
package main

import (
	"os"
	"path/filepath"
	"runtime/pprof"
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
	ready    sync.WaitGroup // both transfers hold their first lock
	done     atomic.Int64
}

func (b *bank) transferOut(n int) {
	b.from.mu.Lock()
	defer b.from.mu.Unlock()
	b.ready.Done()
	b.ready.Wait()
	b.to.mu.Lock() // godiag:root-cause
	defer b.to.mu.Unlock()
	b.from.balance -= n
	b.to.balance += n
	b.done.Add(1)
}

func (b *bank) transferBack(n int) {
	b.to.mu.Lock()
	defer b.to.mu.Unlock()
	b.ready.Done()
	b.ready.Wait()
	b.from.mu.Lock()
	defer b.from.mu.Unlock()
	b.to.balance -= n
	b.from.balance += n
	b.done.Add(1)
}

func (b *bank) audit() int {
	b.from.mu.Lock()
	defer b.from.mu.Unlock()
	return b.from.balance
}

// Other work that goes on: the program as a whole is not asleep.
func worker(ticks *atomic.Int64) {
	for {
		time.Sleep(5 * time.Millisecond)
		ticks.Add(1)
	}
}

func watchdog(b *bank) {
	last, stalled := b.done.Load(), time.Duration(0)
	for {
		time.Sleep(100 * time.Millisecond)
		if now := b.done.Load(); now != last {
			last, stalled = now, 0
			continue
		}
		stalled += 100 * time.Millisecond
		if stalled >= time.Second {
			dump()
			panic("watchdog: no transfer completed for 1s")
		}
	}
}

func dump() {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "goroutines.debug2.txt"))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
}

func main() {
	b := &bank{}
	b.from.balance = 100
	b.ready.Add(2)
	var ticks atomic.Int64
	for i := 0; i < 2; i++ {
		go worker(&ticks)
	}
	go b.transferOut(10)
	go b.transferBack(5)
	time.Sleep(50 * time.Millisecond)
	go b.audit()
	watchdog(b)
}
