// bigtrace writes a large runtime/trace execution trace for benchmarking trace readers: many
// goroutines in a mix of workloads, so that the trace holds every common kind of event over
// many generations. Standard library only.
//
//	bigtrace -o big.trace [-seconds 22] [-mb 0] [-workers 16] [-seed 1]
//
// Workloads (all at once, -workers scales them): a four-stage channel pipeline (every 64th
// item in a user task "batch" with a "parse" region and a log; the sink in a "sink" region;
// everything under a task "bigtrace"); goroutines contending on a few sync.Mutexes and an
// RWMutex; allocation churn (trees built and dropped, GOGC=50) that keeps the GC cycling
// with mark assists; file writes with fsync, an os.Pipe (netpoller) and a blocking
// syscall.Pipe; loopback TCP request/response; timers, tickers and time.AfterFunc; a crowd
// of parked goroutines woken by sync.Cond broadcasts; short-lived goroutines spawned
// continuously (some logging); a CPU-bound goroutine that only gets preempted.
//
// It stops after -seconds of wall time or, when -mb is set, as soon as that many MiB of
// trace have been written, whichever comes first (the size then hardly depends on how busy
// the machine is). The trace is written straight to the file (no buffering).
// With Go 1.24.11 on 2 cores it writes ~4.5-4.8 MB per second (~750k events/s, a new
// generation about every second): -seconds 21 gave 93.6 MB, 24 gave 114 MB, and -mb 95
// stopped at 100.2 MB after 22 s, so the default -seconds 22 (or -mb 95) gives ~100 MB.
// Write it outside the repository (e.g. /tmp); it is not a lab artifact.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// countingFile counts the bytes the tracer has written.
type countingFile struct {
	f *os.File
	n atomic.Int64
}

func (c *countingFile) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	c.n.Add(int64(n))
	return n, err
}

type item struct {
	id    int
	data  []byte
	words []string
	sum   uint64
}

var (
	seed    int64
	stop    atomic.Bool
	sinkMu  sync.Mutex
	sinkSum uint64
)

func done() bool { return stop.Load() }

// pipeline: source → parse → transform → sink, each stage a group of goroutines; every
// 64th item opens a user task with a region per stage.
func pipeline(ctx context.Context, workers int, wg *sync.WaitGroup) {
	src := make(chan *item)
	parsed := make(chan *item)
	transformed := make(chan *item)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(src)
		for i := 0; !done(); i++ {
			src <- &item{id: i, data: []byte(fmt.Sprintf("item-%d alpha beta gamma delta %d", i, i*7))}
		}
	}()
	var pw, tw sync.WaitGroup
	for w := 0; w < workers; w++ {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for it := range src {
				if it.id%64 == 0 {
					tctx, task := trace.NewTask(ctx, "batch")
					trace.WithRegion(tctx, "parse", func() { it.words = strings.Fields(string(it.data)) })
					trace.Logf(tctx, "batch", "id=%d words=%d", it.id, len(it.words))
					task.End()
				} else {
					it.words = strings.Fields(string(it.data))
				}
				parsed <- it
			}
		}()
		tw.Add(1)
		go func() {
			defer tw.Done()
			for it := range parsed {
				sort.Strings(it.words)
				for _, w := range it.words {
					for _, c := range []byte(w) {
						it.sum = it.sum*31 + uint64(c)
					}
				}
				transformed <- it
			}
		}()
	}
	go func() { pw.Wait(); close(parsed) }()
	go func() { tw.Wait(); close(transformed) }()
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := trace.StartRegion(ctx, "sink")
		defer r.End()
		for it := range transformed {
			sinkMu.Lock()
			sinkSum += it.sum
			sinkMu.Unlock()
		}
	}()
}

// contention: goroutines fight over a few mutexes and an RWMutex.
func contention(workers int, wg *sync.WaitGroup) {
	type guarded struct {
		mu   sync.Mutex
		vals [64]int
	}
	var locks [3]guarded
	var rw sync.RWMutex
	version := 0
	for g := 0; g < 2*workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed + int64(g)))
			for i := 0; !done(); i++ {
				l := &locks[rng.Intn(len(locks))]
				l.mu.Lock()
				for j := 0; j < 200; j++ {
					l.vals[j%64] += j
				}
				if i%50 == 0 {
					time.Sleep(100 * time.Microsecond)
				}
				l.mu.Unlock()
				if i%4 == 0 {
					rw.Lock()
					version++
					rw.Unlock()
				} else {
					rw.RLock()
					_ = version
					rw.RUnlock()
				}
			}
		}(g)
	}
}

type node struct {
	left, right *node
	val         [6]int64
}

func tree(d int) *node {
	if d == 0 {
		return &node{}
	}
	return &node{left: tree(d - 1), right: tree(d - 1)}
}

// churn: allocation that keeps the collector busy, over a retained set it must mark.
func churn(workers int, wg *sync.WaitGroup) {
	retained := make([]*node, 0, 64)
	for i := 0; i < 64; i++ {
		retained = append(retained, tree(10))
	}
	for g := 0; g < workers/2+1; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; !done(); i++ {
				t := tree(6 + i%4)
				if i%32 == 0 {
					retained[(g*7+i)%len(retained)] = t
				}
				time.Sleep(200 * time.Microsecond)
			}
		}(g)
	}
	runtime.KeepAlive(retained)
}

// fileIO: writes with fsync, an os.Pipe read through the netpoller and a blocking pipe
// read in a real read(2).
func fileIO(dir string, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		f, err := os.CreateTemp(dir, "bigtrace-*.dat")
		if err != nil {
			log.Fatal(err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		buf := make([]byte, 4096)
		for i := 0; !done(); i++ {
			if _, err := f.Write(buf); err != nil {
				log.Fatal(err)
			}
			if i%16 == 0 {
				f.Sync()
				f.Truncate(0)
				f.Seek(0, io.SeekStart)
			}
			time.Sleep(500 * time.Microsecond)
		}
	}()
	pr, pw, err := os.Pipe()
	if err != nil {
		log.Fatal(err)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer pw.Close()
		for !done() {
			pw.Write([]byte("ping\n"))
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		defer wg.Done()
		r := bufio.NewReader(pr)
		for {
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
		}
	}()
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		log.Fatal(err)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for !done() {
			syscall.Write(p[1], []byte("x"))
			time.Sleep(2 * time.Millisecond)
		}
		syscall.Close(p[1])
	}()
	go func() {
		defer wg.Done()
		b := make([]byte, 16)
		for {
			if n, err := syscall.Read(p[0], b); err != nil || n <= 0 {
				syscall.Close(p[0])
				return
			}
		}
	}()
}

// network: a loopback echo server with a small delay and clients in request/response.
func network(workers int, wg *sync.WaitGroup) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					time.Sleep(200 * time.Microsecond)
					c.Write([]byte(line))
				}
			}(c)
		}
	}()
	var cw sync.WaitGroup
	for g := 0; g < workers; g++ {
		cw.Add(1)
		go func(g int) {
			defer cw.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				log.Fatal(err)
			}
			defer c.Close()
			r := bufio.NewReader(c)
			for i := 0; !done(); i++ {
				fmt.Fprintf(c, "req %d %d\n", g, i)
				if _, err := r.ReadString('\n'); err != nil {
					return
				}
			}
		}(g)
	}
	wg.Add(1)
	go func() { defer wg.Done(); cw.Wait(); ln.Close() }()
}

// timers: sleepers, tickers and AfterFunc callbacks.
func timers(workers int, wg *sync.WaitGroup) {
	for g := 0; g < 4*workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed + int64(g) + 100))
			for !done() {
				time.Sleep(time.Duration(50+rng.Intn(2000)) * time.Microsecond)
			}
		}(g)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		var fired atomic.Int64
		for range t.C {
			if done() {
				return
			}
			time.AfterFunc(500*time.Microsecond, func() { fired.Add(1) })
		}
	}()
}

// crowd: many parked goroutines woken together by sync.Cond broadcasts, plus short-lived
// goroutines spawned all the time.
func crowd(ctx context.Context, workers int, wg *sync.WaitGroup) {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	gen := 0
	n := 200 * workers
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			seen := gen
			for !done() {
				for gen == seen && !done() {
					cond.Wait()
				}
				seen = gen
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done() {
			time.Sleep(20 * time.Millisecond)
			mu.Lock()
			gen++
			mu.Unlock()
			cond.Broadcast()
		}
		mu.Lock()
		gen++
		mu.Unlock()
		cond.Broadcast()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		var sw sync.WaitGroup
		for i := 0; !done(); i++ {
			sw.Add(1)
			go func(i int) {
				defer sw.Done()
				if i%100 == 0 {
					trace.Logf(ctx, "spawn", "short-lived goroutine %d", i)
				}
				x := 0
				for j := 0; j < 1000; j++ {
					x += j * i
				}
				_ = x
			}(i)
			if i%256 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		sw.Wait()
	}()
}

// spinners: CPU-bound goroutines that are only ever preempted.
func spinners(workers int, wg *sync.WaitGroup) {
	for g := 0; g < 1; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			s := uint64(g)
			for !done() {
				for i := 0; i < 1_000_000; i++ {
					s = s*6364136223846793005 + 1442695040888963407
				}
			}
			_ = s
		}(g)
	}
}

func main() {
	out := flag.String("o", "big.trace", "output file")
	seconds := flag.Float64("seconds", 22, "run for this many seconds of wall time")
	mb := flag.Float64("mb", 0, "stop once this many MiB of trace are written (0: no limit)")
	workers := flag.Int("workers", 16, "scale of each workload")
	flag.Int64Var(&seed, "seed", 1, "random seed")
	flag.Parse()
	debug.SetGCPercent(50)

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	cf := &countingFile{f: f}
	if err := trace.Start(cf); err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	ctx, task := trace.NewTask(context.Background(), "bigtrace")
	var wg sync.WaitGroup
	pipeline(ctx, *workers, &wg)
	contention(*workers, &wg)
	churn(*workers, &wg)
	fileIO(os.TempDir(), &wg)
	network(*workers, &wg)
	timers(*workers, &wg)
	crowd(ctx, *workers, &wg)
	spinners(*workers, &wg)

	deadline := start.Add(time.Duration(*seconds * float64(time.Second)))
	limit := int64(*mb * (1 << 20))
	for time.Now().Before(deadline) && (limit == 0 || cf.n.Load() < limit) {
		time.Sleep(10 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	task.End()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	st, err := os.Stat(*out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "bigtrace: %s: %d bytes (%.1f MiB) in %.1f s, %s\n",
		*out, st.Size(), float64(st.Size())/(1<<20), time.Since(start).Seconds(), runtime.Version())
}
