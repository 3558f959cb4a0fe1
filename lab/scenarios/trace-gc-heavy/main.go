// trace-gc-heavy: with GOGC=10 (debug.SetGCPercent) a goroutine allocates short-lived nodes
// over a ~19 MB live heap of pointers until 16 GC cycles have run (~150-300 ms), so the trace
// shows back-to-back GC cycles, stop-the-world pauses and hundreds to thousands of mark
// assists. Writes trace.out to $LAB_FILES_DIR.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"runtime/trace"
	"sync/atomic"
	"time"
)

type node struct {
	next *node
	key  int
	val  [40]byte
}

var live []*node // long-lived state the GC has to mark every cycle

// budgetFile passes each trace chunk straight to the file and counts the bytes, so the run can
// stop at 256 KB: from Go 1.25 (issue #73499) the background sweeper can spin in Gosched while
// another sweeper finishes, tens of thousands of yields per run on a busy machine, each a pair
// of trace events.
type budgetFile struct {
	f *os.File
	n atomic.Int64
}

func (b *budgetFile) Write(p []byte) (int, error) {
	n, err := b.f.Write(p)
	b.n.Add(int64(n))
	return n, err
}

// build allocates a fresh linked list per call and keeps only its length.
func build(n int) int {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, key: i} // godiag:root-cause
	}
	c := 0
	for p := head; p != nil; p = p.next {
		c++
	}
	return c
}

// gcCycles is the number of completed GC cycles.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func main() {
	debug.SetGCPercent(10)
	for i := 0; i < 300000; i++ {
		live = append(live, &node{key: i})
	}
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "trace.out"))
	if err != nil {
		panic(err)
	}
	out := &budgetFile{f: f}
	if err := trace.Start(out); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(time.Second)
	until := gcCycles() + 16
	total := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for gcCycles() < until && time.Now().Before(deadline) && out.n.Load() < 256<<10 {
			total += build(2000)
		}
	}()
	<-done
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Println(total, len(live))
}
