// trace-starvation: with GOMAXPROCS(1), 20 goroutines spin on the CPU for ~600 ms, so runnable
// goroutines (and a 10 ms ticker) wait far over 100 ms for the only P. Writes trace.out to $LAB_FILES_DIR.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

var sums [20]uint64

// spin burns CPU until the deadline without ever blocking, so the only P is handed over
// only when sysmon preempts it (every ~10 ms).
func spin(id int, deadline time.Time) {
	s := uint64(id)
	for time.Now().Before(deadline) {
		for i := 0; i < 200000; i++ {
			s = s*6364136223846793005 + 1442695040888963407 // godiag:root-cause
		}
	}
	sums[id] = s
}

// ticker is the latency-sensitive goroutine: it wants to run every 10 ms.
func ticker(stop <-chan struct{}) (ticks int, worst time.Duration) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			_ = now
			if d := time.Since(last); d > worst {
				worst = d
			}
			last = time.Now()
			ticks++
		}
	}
}

func main() {
	runtime.GOMAXPROCS(1)
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "trace.out"))
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	stop := make(chan struct{})
	var ticks int
	var worst time.Duration
	tickDone := make(chan struct{})
	go func() { ticks, worst = ticker(stop); close(tickDone) }()

	deadline := time.Now().Add(600 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			spin(i, deadline)
		}(i)
	}
	wg.Wait()
	close(stop)
	<-tickDone
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Println("ticks", ticks, "worst gap", worst)
}
