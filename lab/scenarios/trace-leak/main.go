// trace-leak: 50 requests each start handleRequest, which waits forever for a reply on a
// channel nobody sends to; the trace runs ~300 ms more while 4 healthy workers keep serving
// jobs. Writes trace.out to $LAB_FILES_DIR.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/trace"
	"sync"
	"time"
)

func handleRequest(id int) {
	reply := make(chan string) // the backend call that would answer was never started
	resp := <-reply            // godiag:root-cause
	fmt.Println(id, resp)
}

// Healthy background work: a worker pool that receives jobs and finishes them.
func worker(jobs <-chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		_ = j * j
	}
}

func main() {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "trace.out"))
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go worker(jobs, &wg)
	}
	for id := 1; id <= 50; id++ {
		go handleRequest(id)
		jobs <- id
	}
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
		jobs <- 0
		time.Sleep(5 * time.Millisecond)
	}
	close(jobs)
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
