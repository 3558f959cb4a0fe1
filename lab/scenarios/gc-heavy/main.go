// gc-heavy: parse allocates a small heap object per token in a tight loop and drops it at
// once, so allocation and GC dominate the CPU. Writes cpu.pb.gz (2 s) and heap.pb.gz to $LAB_FILES_DIR.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

type token struct {
	next *token
	kind int
	pos  int
	text string
}

var index map[int]*token // long-lived state the GC has to mark every cycle

func parse(n int) int {
	var head *token
	sum := 0
	for i := 0; i < n; i++ {
		head = &token{next: head, kind: i % 5, pos: i} // godiag:root-cause
		if i%16 == 0 {
			sum += head.kind
			head = nil
		}
	}
	return sum
}

func create(name string) *os.File {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), name))
	if err != nil {
		panic(err)
	}
	return f
}

func main() {
	index = make(map[int]*token, 100000)
	for i := 0; i < 100000; i++ {
		index[i] = &token{kind: i, text: "x"}
	}
	f := create("cpu.pb.gz")
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	total := 0
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
		total += parse(100000)
	}
	pprof.StopCPUProfile()
	f.Close()
	runtime.GC()
	h := create("heap.pb.gz")
	if err := pprof.Lookup("heap").WriteTo(h, 0); err != nil {
		panic(err)
	}
	h.Close()
	fmt.Println(total, len(index))
}
