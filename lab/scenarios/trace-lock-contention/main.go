// trace-lock-contention: eight goroutines update one cache whose only sync.Mutex is held ~2 ms
// per update (a slow refresh under the lock), so most of their ~500 ms is spent blocked in
// Lock. Writes trace.out to $LAB_FILES_DIR.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/trace"
	"sync"
	"time"
)

type cache struct {
	mu      sync.Mutex
	entries map[int]int
}

func (c *cache) update(k, v int) {
	c.mu.Lock() // godiag:root-cause
	c.entries[k] = v
	time.Sleep(2 * time.Millisecond) // slow refresh while holding the lock
	c.mu.Unlock()
}

func main() {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "trace.out"))
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	c := &cache{entries: map[int]int{}}
	deadline := time.Now().Add(500 * time.Millisecond)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				c.update(g*1000+i, i)
			}
		}(g)
	}
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Println(len(c.entries))
}
