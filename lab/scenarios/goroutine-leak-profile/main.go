// goroutine-leak-profile: every request starts handleRequest, which waits for a reply on a
// channel nobody sends to. Writes goroutine-{1,2}.pb.gz ~2 s apart (with a debug=2 dump at the second) and,
// where the runtime has it (1.26 + GOEXPERIMENT=goroutineleakprofile, 1.27+), goroutineleak.pb.gz and .debug{1,2}.txt.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"
)

func handleRequest(id int) {
	reply := make(chan string) // the backend call that would answer was never started
	resp := <-reply            // godiag:root-cause
	fmt.Println(id, resp)
}

// Healthy background work: a worker pool waiting for jobs.
func worker(jobs <-chan int) {
	for j := range jobs {
		_ = j * j
	}
}

func writeProfile(kind, name string) { writeProfileDebug(kind, name, 0) }

func writeProfileDebug(kind, name string, debug int) {
	p := pprof.Lookup(kind)
	if p == nil {
		return // goroutineleak is not available in this build
	}
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), name))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := p.WriteTo(f, debug); err != nil {
		panic(err)
	}
}

func main() {
	jobs := make(chan int)
	for i := 0; i < 4; i++ {
		go worker(jobs)
	}
	id := 0
	serve := func(d time.Duration) { // ~20 leaked handlers per 100 ms
		for end := time.Now().Add(d); time.Now().Before(end); {
			for i := 0; i < 2; i++ {
				id++
				go handleRequest(id)
				jobs <- id
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	serve(1 * time.Second)
	writeProfile("goroutine", "goroutine-1.pb.gz")
	serve(2 * time.Second)
	writeProfile("goroutine", "goroutine-2.pb.gz")
	writeProfileDebug("goroutine", "goroutine-2.debug2.txt", 2)
	writeProfile("goroutineleak", "goroutineleak.pb.gz")
	// The same profile as text: records with counts (debug=1) and every
	// leaked goroutine's stack, marked (leaked) (debug=2).
	writeProfileDebug("goroutineleak", "goroutineleak.debug1.txt", 1)
	writeProfileDebug("goroutineleak", "goroutineleak.debug2.txt", 2)
	close(jobs)
}
