// bigcpu writes a large CPU profile for benchmarking profile readers: many
// goroutines walk random paths through 384 generated functions (funcs.go,
// from gen.go) to varied depths, and at the end of each path do a small piece
// of standard-library work (JSON encoding and decoding, regexp, sorting,
// hashing, formatting, a tree walk), so that nearly every sample has its own
// stack. Standard library only.
//
//	bigcpu -o big-cpu.pb.gz [-seconds 30] [-cpuseconds 0] [-hz 100] [-workers 64] [-seed 1] [-heap DIR [-memrate 4096]]
//
// With -heap DIR the walks also allocate at their ends, keeping the latest
// 100,000 allocations, with the memory profile sampling every -memrate bytes; at the
// end DIR gets heap.pb.gz, allocs.pb.gz and goroutine.pb.gz: profiles with
// as many distinct stacks as the run made (their size grows with its length).
//
// It stops after -seconds of wall time or, when -cpuseconds is set, as soon
// as the process has used that much CPU time, whichever comes first: the
// number of samples (CPU seconds x hz) then does not depend on how busy the
// machine is.
//
// -hz other than 100 raises the sampling rate with runtime.SetCPUProfileRate
// before pprof.StartCPUProfile; the runtime then prints "cannot set cpu
// profile rate until previous profile has finished" (harmless: the profile
// keeps the higher rate and records its period).
package main

import (
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"log"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type record struct {
	ID     uint64            `json:"id"`
	Name   string            `json:"name"`
	Tags   []string          `json:"tags"`
	Score  float64           `json:"score"`
	Attrs  map[string]string `json:"attrs"`
	Nested *record           `json:"nested,omitempty"`
}

var (
	reLog  = regexp.MustCompile(`^(\d{4})-(\d\d)-(\d\d)T[\d:.]+Z (INFO|WARN|ERROR) ([a-z]+)=(\S+)`)
	reWord = regexp.MustCompile(`\b[a-z]{3,}[0-9]*\b`)
)

type node struct {
	left, right *node
	val         uint64
}

// tree is a random binary tree walked from varied starting points.
var tree = buildTree(1, 14)

func buildTree(seed uint64, depth int) *node {
	if depth == 0 {
		return nil
	}
	seed = seed*6364136223846793005 + 1442695040888963407
	n := &node{val: seed}
	if seed>>60 != 0 { // most nodes have a left child
		n.left = buildTree(seed^1, depth-1)
	}
	if seed>>59&1 == 1 {
		n.right = buildTree(seed^2, depth-1)
	}
	return n
}

func walkTree(n *node, h uint64, budget int) uint64 {
	if n == nil || budget == 0 {
		return h
	}
	h = h*31 + n.val
	if h&1 == 0 {
		return walkTree(n.left, h, budget-1)
	}
	return walkTree(n.right, h, budget-1) ^ walkTree(n.left, h>>1, budget/2)
}

// walker carries one path's state.
type walker struct {
	h, acc uint64
	buf    []byte
	ints   []int
}

var (
	sink atomic.Uint64
	stop atomic.Bool
)

// cpuTime is the CPU time (user + system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// kept holds the latest allocations of the walks (-heap): what the heap
// profile sees in use, at many distinct stacks.
var (
	keepMu sync.Mutex
	kept   [][]byte
	keepAt int
	keep   bool
)

func retain(b []byte) {
	keepMu.Lock()
	if len(kept) < 100000 {
		kept = append(kept, b)
	} else {
		kept[keepAt%len(kept)] = b
		keepAt++
	}
	keepMu.Unlock()
}

func (w *walker) leaf() uint64 {
	if keep && w.h%16 == 0 {
		retain(make([]byte, 64+int(w.h>>40%4096)))
	}
	switch w.h % 8 {
	case 0:
		r := record{ID: w.h, Name: "item-" + strconv.FormatUint(w.h%9973, 10),
			Tags: []string{"a", "bb", "ccc"}, Score: float64(w.h%1000) / 7,
			Attrs:  map[string]string{"k": "v", "zone": "eu-west-1"},
			Nested: &record{ID: w.acc, Name: "child"}}
		b, err := json.Marshal(&r)
		if err != nil {
			panic(err)
		}
		var back record
		if err := json.Unmarshal(b, &back); err != nil {
			panic(err)
		}
		return uint64(len(b)) + back.ID
	case 1:
		line := fmt.Sprintf("2026-11-%02dT10:11:12.%03dZ %s user=u%d", w.h%28+1, w.h%1000,
			[]string{"INFO", "WARN", "ERROR"}[w.h%3], w.acc%100000)
		if m := reLog.FindStringSubmatch(line); m != nil {
			return uint64(len(m[6]))
		}
		return 0
	case 2:
		return uint64(len(reWord.FindAllString("the quick brown fox42 jumps over lazy dogs7 again and again", -1)))
	case 3:
		w.ints = w.ints[:0]
		x := w.h
		for i := 0; i < 64; i++ {
			x = x*2862933555777941757 + 3037000493
			w.ints = append(w.ints, int(x>>40))
		}
		sort.Ints(w.ints)
		return uint64(w.ints[32])
	case 4:
		w.buf = strconv.AppendUint(w.buf[:0], w.h, 16)
		for len(w.buf) < 512 {
			w.buf = append(w.buf, w.buf...)
		}
		s := sha256.Sum256(w.buf)
		return uint64(s[0]) | uint64(crc32.ChecksumIEEE(w.buf))<<8
	case 5:
		f := fnv.New64a()
		for i := 0; i < 16; i++ {
			fmt.Fprintf(f, "%d:%x;", i, w.h>>i)
		}
		return f.Sum64()
	case 6:
		words := strings.Fields("delta alpha echo charlie bravo golf foxtrot hotel india juliet kilo")
		sort.Slice(words, func(i, j int) bool { return words[i]+strconv.Itoa(int(w.h)%3) < words[j] })
		return uint64(len(strings.Join(words, ",")))
	default:
		return walkTree(tree, w.h, int(w.h%24)+4)
	}
}

func main() {
	out := flag.String("o", "", "write the CPU profile (gzipped profile.proto) to this file")
	seconds := flag.Float64("seconds", 30, "how long to run (wall time)")
	cpuSeconds := flag.Float64("cpuseconds", 0, "stop once the process has used this much CPU time (0: no limit)")
	hz := flag.Int("hz", 100, "CPU profile sampling rate")
	workers := flag.Int("workers", 64, "goroutines")
	seed := flag.Uint64("seed", 1, "seed of the walks")
	heapDir := flag.String("heap", "", "also write heap, allocs and goroutine profiles into this directory")
	memRate := flag.Int("memrate", 4096, "with -heap: bytes between memory profile samples")
	flag.Parse()
	if *heapDir != "" {
		keep = true
		runtime.MemProfileRate = *memRate
	}
	if *out == "" {
		log.Fatal("usage: bigcpu -o FILE [-seconds N] [-hz N] [-workers N]")
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if *hz != 100 {
		runtime.SetCPUProfileRate(*hz)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	deadline := start.Add(time.Duration(*seconds * float64(time.Second)))
	cpuLimit := time.Duration(*cpuSeconds * float64(time.Second))
	go func() {
		for !stop.Load() {
			time.Sleep(20 * time.Millisecond)
			if time.Now().After(deadline) || (cpuLimit > 0 && cpuTime() >= cpuLimit) {
				stop.Store(true)
			}
		}
	}()
	var wg sync.WaitGroup
	var paths atomic.Int64
	for g := 0; g < *workers; g++ {
		wg.Add(1)
		go func(g uint64) {
			defer wg.Done()
			w := &walker{h: *seed*1000003 + g*0x9e3779b97f4a7c15}
			var n int64
			for ; !stop.Load(); n++ {
				w.h = w.h*0xbf58476d1ce4e5b9 + g
				depth := 48 + int(w.h>>32%112)
				sink.Add(funcs[w.h>>8%nFuncs](w, depth))
			}
			paths.Add(n)
		}(uint64(g))
	}
	wg.Wait()
	pprof.StopCPUProfile()
	wall, cpu := time.Since(start), cpuTime()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	if *heapDir != "" {
		runtime.GC()
		for _, name := range []string{"heap", "allocs", "goroutine"} {
			hf, err := os.Create(*heapDir + "/" + name + ".pb.gz")
			if err != nil {
				log.Fatal(err)
			}
			if err := pprof.Lookup(name).WriteTo(hf, 0); err != nil {
				log.Fatal(err)
			}
			hf.Close()
		}
	}
	fi, _ := os.Stat(*out)
	fmt.Fprintf(os.Stderr, "bigcpu: %d paths by %d goroutines in %.1fs wall, %.1fs CPU, at %d Hz; %s: %d bytes\n",
		paths.Load(), *workers, wall.Seconds(), cpu.Seconds(), *hz, *out, fi.Size())
}
