// goroutine-leak: every "request" starts a handler that waits for a reply nobody ever
// sends, so blocked handlers pile up. Writes goroutine dumps (debug=2 and debug=1)
// twice, ~3 s apart, to $LAB_DUMP_PREFIX.{debug2-1,debug1-1,debug2-2,debug1-2}.txt.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"
)

func handleRequest(id int) {
	reply := make(chan string) // the backend call that would answer was never started
	resp := <-reply            // godiag:root-cause
	fmt.Println(id, resp)
}

// Healthy background work: a worker pool waiting for jobs and a ticker loop.
func worker(jobs <-chan int) {
	for j := range jobs {
		_ = j * j
	}
}

func ticker(stop <-chan struct{}) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-stop:
			return
		}
	}
}

func dump(suffix string, debug int) {
	f, err := os.Create(os.Getenv("LAB_DUMP_PREFIX") + "." + suffix + ".txt")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
		panic(err)
	}
}

func main() {
	jobs := make(chan int)
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		go worker(jobs)
	}
	go ticker(stop)

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
	dump("debug2-1", 2)
	dump("debug1-1", 1)
	serve(3 * time.Second)
	dump("debug2-2", 2)
	dump("debug1-2", 1)
	close(stop)
}
