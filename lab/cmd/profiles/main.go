// profiles writes one artifact of every kind runtime/pprof and runtime/trace
// produce, so that recognising kinds by content is tested on real bytes:
// gzipped and raw profile.proto (heap, cpu, goroutine), the legacy debug=1
// text profiles (heap, mutex, block, threadcreate, goroutine) and an
// execution trace. Usage: profiles -o DIR
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

var sink [][]byte

func busy(d time.Duration) int {
	n := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 1e5; i++ {
			n += i % 7
		}
		sink = append(sink, make([]byte, 4096))
	}
	return n
}

func contend() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				mu.Lock()
				time.Sleep(10 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func write(dir, name string, f func(io.Writer) error) {
	out, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		log.Fatal(err)
	}
	if err := f(out); err != nil {
		log.Fatal(name, ": ", err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
}

func lookup(name string, debug int) func(io.Writer) error {
	return func(w io.Writer) error { return pprof.Lookup(name).WriteTo(w, debug) }
}

func main() {
	dir := flag.String("o", ".", "output directory")
	flag.Parse()
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)

	var cpu bytes.Buffer
	if err := pprof.StartCPUProfile(&cpu); err != nil {
		log.Fatal(err)
	}
	var tr bytes.Buffer
	if err := trace.Start(&tr); err != nil {
		log.Fatal(err)
	}
	busy(300 * time.Millisecond)
	contend()
	trace.Stop()
	pprof.StopCPUProfile()
	runtime.GC()

	write(*dir, "cpu.pb.gz", func(w io.Writer) error { _, err := w.Write(cpu.Bytes()); return err })
	write(*dir, "trace.out", func(w io.Writer) error { _, err := w.Write(tr.Bytes()); return err })
	write(*dir, "heap.pb.gz", lookup("heap", 0))
	write(*dir, "goroutine.pb.gz", lookup("goroutine", 0))
	// profile.proto without its gzip layer, as some tools store it.
	write(*dir, "heap.pb", func(w io.Writer) error {
		var gz bytes.Buffer
		if err := pprof.Lookup("heap").WriteTo(&gz, 0); err != nil {
			return err
		}
		r, err := gzip.NewReader(&gz)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		return err
	})
	for _, name := range []string{"heap", "mutex", "block", "threadcreate", "goroutine"} {
		write(*dir, name+".debug1.txt", lookup(name, 1))
	}
}
