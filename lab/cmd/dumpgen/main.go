// Command dumpgen parks a large, server-like population of goroutines and
// writes the process's goroutine profile, so that godiag's goroutine-dump
// parser can be benchmarked against other tools on realistic input.
//
// The population is spread over 15 blocking kinds (channel send/receive,
// select, select with a timeout, select with no cases, nil channels,
// sync.Mutex, both sides of sync.RWMutex, sync.WaitGroup, sync.Cond,
// time.Sleep, context cancellation and reads on pipes, which give both
// `IO wait` and `semacquire`), 4 call shapes (direct, handleRequest at
// depth 3, processJob at depth 6, a method on *service) and 2 creators (a
// named spawner function and a closure). About 10% of the goroutines carry
// pprof labels, set with pprof.Do around their creation.
//
// Every goroutine passes a request/job ID down its stack. The IDs come from
// a small range (-ids, default 56, like worker slots or tenants), so a
// stack's goroutines disagree on their argument values: grouping by exact
// scalar arguments yields thousands of groups instead of ~140 (about 9k
// buckets for panicparse's default at 100k goroutines, as in the reference
// dump). -ids 0 gives every goroutine its own ID, which makes grouping by
// argument value produce one group per goroutine (and panicparse's
// quadratic grouping take minutes).
//
// On top of that, -http loopback keep-alive connections give the
// net/http server (conn.serve), client (persistConn.readLoop/writeLoop)
// and accept-loop stacks that a real service carries.
//
// After the population has parked, dumpgen runs a GC (which stamps the
// wait start of every parked goroutine), sleeps for -age (65s gives
// `1 minutes` in every parked header) and writes the debug=2 dump to -o
// (and a debug=1 dump to -debug1 when given).
//
// Usage:
//
//	dumpgen -n 100000 -http 200 -age 65s -o dump.txt [-debug1 dump1.txt]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ---- blocking kinds ------------------------------------------------------

type blocker func(id, shard int) int

var blockers = [numKinds]blocker{
	blockChanRecv, blockChanSend, blockSelect, blockSelectNoCases,
	blockNilChanRecv, blockNilChanSend, blockMutex, blockRWMutexRLock,
	blockRWMutexLock, blockWaitGroup, blockCond, blockTimeout, blockSleep,
	blockContext, blockPipeRead,
}

//go:noinline
func blockChanRecv(id, shard int) int {
	started.Add(1)
	return <-recvChans[shard] + id
}

//go:noinline
func blockChanSend(id, shard int) int {
	started.Add(1)
	sendChans[shard] <- id
	return id
}

//go:noinline
func blockSelect(id, shard int) int {
	started.Add(1)
	select {
	case v := <-selRecv[shard]:
		return v + id
	case selSend[shard] <- id:
		return id
	}
}

//go:noinline
func blockSelectNoCases(id, shard int) int {
	started.Add(1)
	select {}
}

//go:noinline
func blockNilChanRecv(id, shard int) int {
	var ch chan int
	if id < 0 {
		ch = recvChans[shard]
	}
	started.Add(1)
	return <-ch + id
}

//go:noinline
func blockNilChanSend(id, shard int) int {
	var ch chan int
	if id < 0 {
		ch = sendChans[shard]
	}
	started.Add(1)
	ch <- id
	return id
}

//go:noinline
func blockMutex(id, shard int) int {
	started.Add(1)
	mutexes[shard].Lock()
	defer mutexes[shard].Unlock()
	return id
}

//go:noinline
func blockRWMutexRLock(id, shard int) int {
	started.Add(1)
	rwHeldW[shard].RLock()
	defer rwHeldW[shard].RUnlock()
	return id
}

//go:noinline
func blockRWMutexLock(id, shard int) int {
	started.Add(1)
	rwHeldR[shard].Lock()
	defer rwHeldR[shard].Unlock()
	return id
}

//go:noinline
func blockWaitGroup(id, shard int) int {
	started.Add(1)
	waitGroups[shard].Wait()
	return id
}

//go:noinline
func blockCond(id, shard int) int {
	i := int(condNext.Add(1)-1) % numConds
	c := conds[i]
	c.L.Lock()
	started.Add(1)
	for !condReady[i] {
		c.Wait()
	}
	c.L.Unlock()
	return id
}

//go:noinline
func blockTimeout(id, shard int) int {
	started.Add(1)
	select {
	case v := <-timeoutCh[shard]:
		return v
	case <-time.After(time.Duration(12+id%12) * time.Hour):
		return id
	}
}

//go:noinline
func blockSleep(id, shard int) int {
	started.Add(1)
	time.Sleep(time.Duration(24+id%24) * time.Hour)
	return id
}

//go:noinline
func blockContext(id, shard int) int {
	started.Add(1)
	<-contexts[shard].Done()
	return id
}

//go:noinline
func blockPipeRead(id, shard int) int {
	var buf [64]byte
	started.Add(1)
	p := pipeReaders[int(pipeNext.Add(1)-1)%len(pipeReaders)]
	n, _ := p.Read(buf[:])
	return n + id
}

// ---- call shapes ---------------------------------------------------------

// handleRequest → decodeRequest → routeRequest → blocker (depth 3).
//
//go:noinline
func handleRequest(reqID uint64, kind int) int {
	return decodeRequest(int(reqID), kind)
}

//go:noinline
func decodeRequest(reqID, kind int) int {
	return routeRequest(reqID, kind)
}

//go:noinline
func routeRequest(reqID, kind int) int {
	return blockers[kind](reqID, reqID%shards)
}

// processJob → loadJob → validateJob → executeJob → runStep → commitStep →
// blocker (depth 6).
//
//go:noinline
func processJob(jobID int64, kind int) int {
	return loadJob(jobID, kind)
}

//go:noinline
func loadJob(jobID int64, kind int) int {
	return validateJob(jobID, kind)
}

//go:noinline
func validateJob(jobID int64, kind int) int {
	return executeJob(int(jobID), kind)
}

//go:noinline
func executeJob(jobID, kind int) int {
	return runStep(jobID, kind)
}

//go:noinline
func runStep(jobID, kind int) int {
	return commitStep(jobID, kind)
}

//go:noinline
func commitStep(jobID, kind int) int {
	return blockers[kind](jobID, jobID%shards)
}

type service struct {
	name  string
	shard int
	calls atomic.Int64
}

//go:noinline
func (s *service) run(kind, id int) int {
	s.calls.Add(1)
	return blockers[kind](id, s.shard)
}

// ---- creators ------------------------------------------------------------

//go:noinline
func spawnNamed(s *spec) {
	switch s.shape {
	case shapeDirect:
		go blockers[s.kind](s.id, s.shard)
	case shapeHandler:
		go handleRequest(uint64(s.id), s.kind)
	case shapeJob:
		go processJob(int64(s.id), s.kind)
	case shapeService:
		go services[s.shard].run(s.kind, s.id)
	}
}

//go:noinline
func spawnClosure(s *spec) {
	go func() {
		switch s.shape {
		case shapeDirect:
			blockers[s.kind](s.id, s.shard)
		case shapeHandler:
			handleRequest(uint64(s.id), s.kind)
		case shapeJob:
			processJob(int64(s.id), s.kind)
		case shapeService:
			services[s.shard].run(s.kind, s.id)
		}
	}()
}

func spawn(s *spec) {
	if s.creator == creatorNamed {
		spawnNamed(s)
	} else {
		spawnClosure(s)
	}
}

// acceptLoop creates the population, like a server's acceptor handing
// work to per-request goroutines, and then returns.
// Labeled goroutines are created inside pprof.Do and inherit its labels,
// as a request-scoped goroutine inherits its handler's labels: their
// stacks are the same as their unlabeled peers', only the labels differ.
func acceptLoop(specs []spec, done *sync.WaitGroup) {
	defer done.Done()
	for i := range specs {
		s := &specs[i]
		if !s.labeled {
			spawn(s)
			continue
		}
		labels := pprof.Labels("kind", kindNames[s.kind], "shard", strconv.Itoa(s.shard%2))
		pprof.Do(context.Background(), labels, func(context.Context) {
			spawn(s)
		})
	}
}

// ---- population and shared state ----------------------------------------

const (
	shards   = 16
	numConds = 1024
)

// Blocking kinds, in the order of the blockers table.
const (
	kindChanRecv = iota
	kindChanSend
	kindSelect
	kindSelectNoCases
	kindNilChanRecv
	kindNilChanSend
	kindMutex
	kindRWMutexRLock
	kindRWMutexLock
	kindWaitGroup
	kindCond
	kindTimeout
	kindSleep
	kindContext
	kindPipeRead
	numKinds
)

var kindNames = [numKinds]string{
	"chanrecv", "chansend", "select", "selectnocases", "nilchanrecv",
	"nilchansend", "mutex", "rwmutex-rlock", "rwmutex-lock", "waitgroup",
	"cond", "timeout", "sleep", "context", "piperead",
}

// Call shapes.
const (
	shapeDirect = iota
	shapeHandler
	shapeJob
	shapeService
	numShapes
)

// Creators.
const (
	creatorNamed = iota
	creatorClosure
)

// spec describes one goroutine of the population.
type spec struct {
	kind, shape, creator int
	id, shard            int
	labeled              bool
}

// Shared objects the population blocks on, one per shard so that pointer
// arguments differ between goroutines too. Nothing ever releases them.
var (
	recvChans  [shards]chan int
	sendChans  [shards]chan int
	selRecv    [shards]chan int
	selSend    [shards]chan int
	mutexes    [shards]sync.Mutex
	rwHeldW    [shards]sync.RWMutex // write-locked by main: RLock blocks
	rwHeldR    [shards]sync.RWMutex // read-locked by main: Lock blocks
	waitGroups [shards]sync.WaitGroup
	// Many conds with a few waiters each, like per-queue or per-stream
	// conds: the notify ticket each waiter shows in its stack stays small.
	conds     [numConds]*sync.Cond
	condReady [numConds]bool
	condNext  atomic.Int64 // round-robin cond assignment
	timeoutCh [shards]chan int
	contexts  [shards]context.Context
	cancels   [shards]context.CancelFunc
	services  [shards]*service

	// Pipes: the first reader of each pipe holds the read lock and parks
	// in the netpoller (IO wait); later readers wait for the fd's read
	// lock (semacquire). Writers are kept so the pipes never close.
	pipeReaders []*os.File
	pipeWriters []*os.File
	pipeNext    atomic.Int64 // round-robin pipe assignment

	// Kept reachable for the lifetime of the process.
	httpServer    *http.Server
	httpTransport *http.Transport
	signals       = make(chan os.Signal, 1)

	started atomic.Int64
)

func setup(pipes int) error {
	for i := 0; i < shards; i++ {
		recvChans[i] = make(chan int)
		sendChans[i] = make(chan int)
		selRecv[i] = make(chan int)
		selSend[i] = make(chan int)
		timeoutCh[i] = make(chan int)
		mutexes[i].Lock()
		rwHeldW[i].Lock()
		rwHeldR[i].RLock()
		waitGroups[i].Add(1)
		contexts[i], cancels[i] = context.WithCancel(context.Background())
		services[i] = &service{name: "shard-" + strconv.Itoa(i), shard: i}
	}
	for i := range conds {
		conds[i] = sync.NewCond(new(sync.Mutex))
	}
	for i := 0; i < pipes; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("pipe %d: %w", i, err)
		}
		pipeReaders = append(pipeReaders, r)
		pipeWriters = append(pipeWriters, w)
	}
	return nil
}

// ---- HTTP keep-alive connections -----------------------------------------

// startHTTP opens conns keep-alive connections over loopback and leaves
// them idle in the client's pool and the server's read loop.
func startHTTP(conns int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var arrived atomic.Int64
	all := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/ping", func(w http.ResponseWriter, r *http.Request) {
		// Hold every request until all conns requests are in flight, so
		// each one gets its own connection.
		if arrived.Add(1) == int64(conns) {
			close(all)
		}
		select {
		case <-all:
		case <-time.After(30 * time.Second):
		}
		io.WriteString(w, "pong\n")
	})
	httpServer = &http.Server{Handler: mux}
	go httpServer.Serve(ln)

	httpTransport = &http.Transport{
		MaxIdleConns:        0, // no limit
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     0, // keep idle conns forever
		DisableCompression:  true,
	}
	client := &http.Client{Transport: httpTransport}
	url := "http://" + ln.Addr().String() + "/api/v1/ping"
	errs := make(chan error, conns)
	for i := 0; i < conns; i++ {
		go func() {
			resp, err := client.Get(url)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	for i := 0; i < conns; i++ {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// ---- main ----------------------------------------------------------------

func main() {
	n := flag.Int("n", 100000, "number of parked goroutines")
	httpConns := flag.Int("http", 200, "loopback HTTP keep-alive connections (127.0.0.1 only)")
	age := flag.Duration("age", 0, "sleep after a GC before dumping (65s gives `1 minutes`)")
	out := flag.String("o", "", "output file for the debug=2 goroutine dump (required)")
	debug1 := flag.String("debug1", "", "optional output file for a debug=1 goroutine dump")
	proto := flag.String("proto", "", "optional output file for the goroutine profile as profile.proto (gzipped)")
	ids := flag.Int("ids", 56, "distinct request IDs passed down the stacks (0: one per goroutine)")
	seed := flag.Int64("seed", 1, "seed for the population's layout")
	flag.Parse()
	if *out == "" || *n < 0 || *httpConns < 0 || *ids < 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := generate(*n, *httpConns, *ids, *age, *out, *debug1, *proto, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "dumpgen:", err)
		os.Exit(1)
	}
}

func generate(n, httpConns, ids int, age time.Duration, out, debug1, proto string, seed int64) error {
	t0 := time.Now()
	rng := rand.New(rand.NewSource(seed))
	specs := make([]spec, n)
	pipeGoroutines := 0
	for i := range specs {
		id := 1 + rng.Intn(ids)
		if ids == 0 {
			id = 1000 + i
		}
		s := spec{
			kind:    rng.Intn(numKinds),
			shape:   rng.Intn(numShapes),
			creator: rng.Intn(2),
			id:      id,
			shard:   id % shards,
			labeled: rng.Intn(10) == 0,
		}
		if s.kind == kindPipeRead {
			pipeGoroutines++
		}
		specs[i] = s
	}
	// About half of the pipe readers get a pipe to themselves (IO wait),
	// the rest queue behind them (semacquire); capped to spare fds.
	pipes := min((pipeGoroutines+1)/2, 2048)
	if pipeGoroutines > 0 {
		pipes = max(pipes, 1)
	}
	if err := setup(pipes); err != nil {
		return err
	}
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGHUP)
	go func() { // a typical "wait for shutdown" goroutine
		for sig := range signals {
			fmt.Fprintln(os.Stderr, "dumpgen: ignoring", sig)
		}
	}()

	if httpConns > 0 {
		if err := startHTTP(httpConns); err != nil {
			return fmt.Errorf("http: %w", err)
		}
	}

	// One acceptor goroutine creates the whole population, so every
	// population goroutine's `created by` line names the same parent.
	var done sync.WaitGroup
	done.Add(1)
	go acceptLoop(specs, &done)
	done.Wait()
	for started.Load() < int64(n) {
		time.Sleep(10 * time.Millisecond)
	}
	// Let the last goroutines get from started.Add to their park.
	time.Sleep(500 * time.Millisecond)
	fmt.Fprintf(os.Stderr, "dumpgen: %d goroutines parked (%d total) in %v; %d pipes, %d http conns\n",
		n, runtime.NumGoroutine(), time.Since(t0).Round(time.Millisecond), pipes, httpConns)

	// A GC records the wait start of every parked goroutine; the header
	// shows `N minutes` once N minutes have passed since then.
	runtime.GC()
	if age > 0 {
		fmt.Fprintf(os.Stderr, "dumpgen: sleeping %v\n", age)
		time.Sleep(age)
	}

	if err := writeProfile(out, 2); err != nil {
		return err
	}
	if debug1 != "" {
		if err := writeProfile(debug1, 1); err != nil {
			return err
		}
	}
	if proto != "" {
		if err := writeProfile(proto, 0); err != nil {
			return err
		}
	}
	return nil
}

func writeProfile(path string, debug int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	t := time.Now()
	if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "dumpgen: wrote debug=%d dump %s: %d bytes in %v\n",
		debug, path, st.Size(), time.Since(t).Round(time.Millisecond))
	return nil
}
