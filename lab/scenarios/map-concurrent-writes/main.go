// map-concurrent-writes: several goroutines write one map without a lock until the
// runtime detects it ("fatal error: concurrent map writes"). It first makes some
// garbage so that GODEBUG=gctrace=1 prints gc lines before the crash.
package main

import (
	"fmt"
	"os"
	"time"
)

var sink [][]byte

func writer(m map[int]int, id int) {
	for i := 0; ; i++ {
		m[i%4096] = id // godiag:root-cause
	}
}

func main() {
	for i := 0; i < 200; i++ { // ~200 MB of short-lived garbage over ~300 ms
		sink = append(sink, make([]byte, 1<<20))
		if len(sink) > 16 {
			sink = sink[1:]
		}
		time.Sleep(1500 * time.Microsecond)
	}
	m := make(map[int]int)
	for id := 0; id < 4; id++ {
		go writer(m, id)
	}
	time.Sleep(10 * time.Second)
	fmt.Fprintln(os.Stderr, "lab: no concurrent map write detected")
	os.Exit(3)
}
