// map-iteration-write: ranging over a map while another goroutine writes it
// → "fatal error: concurrent map iteration and map write" (thrown in the iterator).
package main

import (
	"fmt"
	"os"
	"time"
)

var total int

func writer(m map[int]int) {
	for i := 0; ; i++ {
		m[i%1024] = i
	}
}

func iterate(m map[int]int) {
	for {
		for k, v := range m { // godiag:root-cause
			total += k + v
		}
	}
}

func main() {
	m := make(map[int]int)
	for i := 0; i < 1024; i++ {
		m[i] = i
	}
	go writer(m)
	for i := 0; i < 2; i++ {
		go iterate(m)
	}
	time.Sleep(10 * time.Second)
	fmt.Fprintln(os.Stderr, "lab: no concurrent map iteration/write detected")
	os.Exit(3)
}
