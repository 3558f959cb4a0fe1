// heap-leak: every request stores its 64 KiB response in a global cache that is never
// evicted; a scratch buffer and a bounded recent-requests ring are healthy churn.
// Writes heap profiles heap-{1,2,3}.pb.gz (after runtime.GC) ~1 s apart to $LAB_FILES_DIR.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

var (
	cache  = map[int][]byte{} // response cache: grows forever
	recent [32][]byte         // last 32 request bodies: bounded
	sink   int
)

//go:noinline
func checksum(b []byte) int {
	s := 0
	for i := 0; i < len(b); i += 512 {
		s += int(b[i])
	}
	return s
}

func handleRequest(id int) {
	scratch := make([]byte, 256<<10) // healthy: dropped when the request ends
	scratch[id%len(scratch)] = byte(id)
	recent[id%len(recent)] = make([]byte, 16<<10) // healthy: overwritten after 32 requests
	resp := make([]byte, 64<<10)                  // godiag:root-cause
	resp[0] = byte(checksum(scratch))
	cache[id] = resp // nothing ever deletes from cache
	sink += checksum(recent[id%len(recent)])
}

func writeHeap(name string) {
	runtime.GC() // the heap profile shows the state as of the last completed GC
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), name))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		panic(err)
	}
}

func main() {
	id := 0
	serve := func(d time.Duration) { // ~200 requests per second
		for end := time.Now().Add(d); time.Now().Before(end); {
			id++
			handleRequest(id)
			time.Sleep(5 * time.Millisecond)
		}
	}
	for i := 1; i <= 3; i++ {
		serve(time.Second)
		writeHeap("heap-" + string(rune('0'+i)) + ".pb.gz")
	}
}
