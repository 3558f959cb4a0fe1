// core-goroutine-leak: a service whose request handlers wait forever for a reply nobody
// sends (200 leaked in [chan receive]) next to healthy goroutines (4 workers ranging over
// a shared jobs channel, a ticker loop); after ~300 ms it sends itself SIGQUIT, as an
// on-call engineer would, so GOTRACEBACK=crash dumps every goroutine and aborts (core).
package main

import (
	"fmt"
	"os"
	"syscall"
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

func main() {
	jobs := make(chan int)
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		go worker(jobs)
	}
	go ticker(stop)

	for id := 1; id <= 200; id++ { // 200 requests, each leaking its handler
		go handleRequest(id)
		jobs <- id
		if id%20 == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(300 * time.Millisecond)
	syscall.Kill(os.Getpid(), syscall.SIGQUIT) // what the on-call engineer does
	time.Sleep(10 * time.Second)
	close(stop)
}
