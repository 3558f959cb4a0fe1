// trace-crash: tracing to an unbuffered *os.File, a worker pipeline runs for ~1.5 s (past the
// first trace generation boundary), main polls with runtime.Gosched (a burst of events), then
// lookup dereferences a nil *session, so trace.Stop never runs. Writes trace.out to
// $LAB_FILES_DIR; stderr is the crash.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"time"
)

type session struct {
	user string
}

var sessions = map[string]*session{"alice": {user: "alice"}}

func lookup(name string) string {
	s := sessions[name]
	return s.user // godiag:root-cause
}

// worker passes jobs along a pipeline stage and allocates a little per job.
func worker(in <-chan int, out chan<- []byte) {
	for j := range in {
		out <- make([]byte, 512+j%512)
	}
}

func main() {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "trace.out"))
	if err != nil {
		panic(err)
	}
	// trace.Start writes each chunk the runtime hands over straight to f (no bufio), so
	// everything flushed before the crash is in the file.
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	in := make(chan int)
	out := make(chan []byte, 16)
	for i := 0; i < 4; i++ {
		go worker(in, out)
	}
	go func() {
		for b := range out {
			_ = b
		}
	}()
	for end, j := time.Now().Add(1500*time.Millisecond), 0; time.Now().Before(end); j++ {
		in <- j
		time.Sleep(time.Millisecond) // ~1 job/ms
	}
	// Poll for bob's session, yielding between attempts: a burst of trace events on one M.
	for i := 0; i < 12000 && sessions["bob"] == nil; i++ {
		runtime.Gosched()
	}
	println(lookup("alice"), lookup("bob"))
	trace.Stop()
	f.Close()
}
