// map-read-write: one goroutine writes a map while others read it without a lock
// → "fatal error: concurrent map read and map write" (thrown in a reader).
package main

import (
	"fmt"
	"os"
	"time"
)

var sum int

func writer(m map[int]int) {
	for i := 0; ; i++ {
		m[i%1024] = i
	}
}

func reader(m map[int]int) {
	for i := 0; ; i++ {
		sum += m[i%1024] // godiag:root-cause
	}
}

func main() {
	m := make(map[int]int)
	for i := 0; i < 1024; i++ {
		m[i] = i
	}
	go writer(m)
	for i := 0; i < 3; i++ {
		go reader(m)
	}
	time.Sleep(10 * time.Second)
	fmt.Fprintln(os.Stderr, "lab: no concurrent map read/write detected")
	os.Exit(3)
}
