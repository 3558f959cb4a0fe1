// channel-blocking: four workers wait on an unbuffered jobs channel that one slow producer
// feeds every 2 ms, so the workers spend their time blocked in receive. Writes block.pb.gz
// and block.debug1.txt to $LAB_FILES_DIR.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

var processed atomic.Int64

func worker(jobs <-chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs { // godiag:root-cause
		processed.Add(int64(j))
	}
}

func writeProfile(name string, debug int) {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), name))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("block").WriteTo(f, debug); err != nil {
		panic(err)
	}
}

func main() {
	runtime.SetBlockProfileRate(1)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go worker(jobs, &wg)
	}
	for i, end := 0, time.Now().Add(2*time.Second); time.Now().Before(end); i++ {
		jobs <- i
		time.Sleep(2 * time.Millisecond) // the slow producer
	}
	close(jobs)
	wg.Wait()
	writeProfile("block.pb.gz", 0)
	writeProfile("block.debug1.txt", 1)
}
