// mutex-contention: eight goroutines post to one ledger whose post method sleeps (the
// "audit write") while holding the ledger's only sync.Mutex. Writes mutex.pb.gz and
// mutex.debug1.txt to $LAB_FILES_DIR.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

type ledger struct {
	mu      sync.Mutex
	total   int
	entries int
}

func (l *ledger) post(v int) {
	l.mu.Lock()
	l.total += v
	l.entries++
	time.Sleep(time.Millisecond) // slow audit write while holding the lock
	l.mu.Unlock()                // godiag:root-cause
}

func writeProfile(name string, debug int) {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), name))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("mutex").WriteTo(f, debug); err != nil {
		panic(err)
	}
}

func main() {
	runtime.SetMutexProfileFraction(1)
	l := &ledger{}
	var wg sync.WaitGroup
	deadline := time.Now().Add(2 * time.Second)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				l.post(g + i)
			}
		}(g)
	}
	wg.Wait()
	writeProfile("mutex.pb.gz", 0)
	writeProfile("mutex.debug1.txt", 1)
}
