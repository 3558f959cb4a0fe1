// bigcore crashes with a large heap and many parked goroutines, so that (run with
// GOTRACEBACK=crash and `ulimit -c unlimited`) the kernel writes a big core file for
// benchmarking core-dump readers. Standard library only.
//
//	GOTRACEBACK=crash bigcore [-goroutines 100000] [-heapmb 1000] 2>crash.txt
//
// It starts -goroutines goroutines, each of which recurses 0–7 levels deep (1–8 frames
// of descend) and then blocks for good in one of four ways: 70% receive from one channel
// that is never sent on, 10% wait on a sync.Mutex that main holds, 10% wait on a
// sync.WaitGroup that never reaches zero, and 10% block in a two-case select. Once all of
// them are about to block, it allocates -heapmb MiB of live 1 MiB byte slices and fills
// them with pseudo-random non-zero data, so that every page is really resident (no zero
// pages, which a core dump could leave out). Then it dereferences nil in main.crash: a
// real SIGSEGV, which the runtime turns into a panic; with GOTRACEBACK=crash it prints
// every goroutine (stderr: 177 MB for 100,000 goroutines) and aborts with SIGABRT, and
// the kernel writes the core.
//
// The core holds the heap plus the goroutine stacks (2 KiB each) and the g structs:
// with Go 1.24.11 on linux/amd64, 100,000 goroutines and -heapmb 1000 give a core of
// 1.36 GB (1.27 GiB; HeapAlloc 1053 MiB, StackInuse 197 MiB), -heapmb 1100 one of 1.47 GB.
// Write it outside the repository (scripts/bench-core.sh uses target/bench/bigcore-<GOV>/);
// it is not a lab artifact.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

const (
	kindChan = iota
	kindMutex
	kindWaitGroup
	kindSelect
	nKinds
)

var kindNames = [nKinds]string{"chan receive", "sync.Mutex", "sync.WaitGroup", "select"}

var (
	park    = make(chan int) // never sent on
	park2   = make(chan int) // never sent on
	held    sync.Mutex       // locked by main before any goroutine starts
	never   sync.WaitGroup   // Add(1), never Done
	ready   sync.WaitGroup   // one per goroutine, Done just before it blocks
	heap    [][]byte         // the live heap
	sinkInt int
)

// kindOf spreads the goroutines over the blocking operations: 7 of every 10 on the
// channel receive, 1 each on the others.
func kindOf(i int) int {
	switch i % 10 {
	case 7:
		return kindMutex
	case 8:
		return kindWaitGroup
	case 9:
		return kindSelect
	}
	return kindChan
}

// depthOf gives recursion depths 0–7, independently of kindOf.
func depthOf(i int) int { return (i / 10) % 8 }

//go:noinline
func descend(depth, kind, id int) int {
	if depth > 0 {
		return descend(depth-1, kind, id) + 1
	}
	block(kind)
	return id
}

//go:noinline
func block(kind int) {
	ready.Done()
	switch kind {
	case kindChan:
		recvPark()
	case kindMutex:
		lockHeld()
	case kindWaitGroup:
		waitNever()
	case kindSelect:
		selectPark()
	}
}

//go:noinline
func recvPark() { sinkInt += <-park }

//go:noinline
func lockHeld() { held.Lock() }

//go:noinline
func waitNever() { never.Wait() }

//go:noinline
func selectPark() {
	select {
	case v := <-park:
		sinkInt += v
	case v := <-park2:
		sinkInt -= v
	}
}

// fill writes pseudo-random non-zero words (xorshift64) to b.
func fill(b []byte, seed uint64) {
	x := seed | 1
	for j := 0; j+8 <= len(b); j += 8 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		binary.LittleEndian.PutUint64(b[j:], x)
	}
}

//go:noinline
func crash(p *int) int {
	return *p // nil: SIGSEGV
}

func main() {
	n := flag.Int("goroutines", 100000, "number of parked goroutines")
	heapMB := flag.Int("heapmb", 1000, "MiB of live, touched heap (1 MiB byte slices)")
	flag.Parse()
	if os.Getenv("GOTRACEBACK") != "crash" {
		fmt.Fprintln(os.Stderr, "bigcore: GOTRACEBACK is not \"crash\": no core will be written")
	}
	start := time.Now()

	held.Lock()
	never.Add(1)
	var counts [nKinds]int
	ready.Add(*n)
	for i := 0; i < *n; i++ {
		k := kindOf(i)
		counts[k]++
		go descend(depthOf(i), k, i)
	}
	ready.Wait()

	heap = make([][]byte, *heapMB)
	for i := range heap {
		heap[i] = make([]byte, 1<<20)
		fill(heap[i], uint64(i+1)*0x9e3779b97f4a7c15)
	}
	// Every goroutine has called ready.Done; give the last ones time to park.
	time.Sleep(200 * time.Millisecond)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(os.Stderr, "bigcore: %d goroutines parked (", runtime.NumGoroutine()-1)
	for k, c := range counts {
		if k > 0 {
			fmt.Fprint(os.Stderr, ", ")
		}
		fmt.Fprintf(os.Stderr, "%d %s", c, kindNames[k])
	}
	fmt.Fprintf(os.Stderr, "), heap %d MiB live (HeapAlloc %d MiB, StackInuse %d MiB, Sys %d MiB) after %.1f s, %s; dereferencing nil\n",
		*heapMB, ms.HeapAlloc>>20, ms.StackInuse>>20, ms.Sys>>20, time.Since(start).Seconds(), runtime.Version())
	var p *int
	sinkInt += crash(p)
	runtime.KeepAlive(heap)
}
