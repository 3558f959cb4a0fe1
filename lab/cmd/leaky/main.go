// leaky: a service that behaves, then starts to leak, for `godiag watch`.
// It serves net/http/pprof and expvar on loopback and handles a steady load
// of requests that finish. After -behave it leaks, at one site:
//
//	-leak goroutines   each request also starts a notifier that blocks for
//	                   good sending on a channel nobody reads (main.notify)
//	-leak heap         each request also keeps 64 KiB in a cache that is
//	                   never trimmed (main.(*cache).remember)
//	-leak both         both at once
//
// With -heal-after D it stops leaking D after it started, and lets go of
// what leaked (the notifiers' channel is drained, the cache emptied).
//
// It prints "listening on http://ADDR", "leaking" when the leak starts and
// "healed" when it is over.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

type cache struct {
	mu    sync.Mutex
	items [][]byte
}

func (c *cache) remember(n int) {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	c.mu.Lock()
	c.items = append(c.items, b)
	c.mu.Unlock()
}

var (
	kept    cache
	updates = make(chan string) // nobody reads it
)

func notify(id int) {
	updates <- fmt.Sprintf("request %d done", id)
}

// One request's work: some allocation that is freed, a short wait.
func serve(id int, leak string, leaking bool) {
	buf := make([]byte, 4096)
	_ = buf
	time.Sleep(time.Millisecond)
	if !leaking {
		return
	}
	switch leak {
	case "goroutines":
		go notify(id)
	case "heap":
		kept.remember(64 << 10)
	case "both":
		go notify(id)
		kept.remember(64 << 10)
	}
}

func main() {
	behave := flag.Duration("behave", 20*time.Second, "how long it behaves before leaking")
	leak := flag.String("leak", "goroutines", "what leaks: goroutines, heap or both")
	rate := flag.Duration("every", 20*time.Millisecond, "time between requests")
	heal := flag.Duration("heal-after", 0, "stop leaking this long after it started, and let go of it (0: never)")
	flag.Parse()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go func() { _ = http.Serve(ln, nil) }()

	start := time.Now()
	announced, healed := false, false
	for id := 0; ; id++ {
		since := time.Since(start)
		leaking := since >= *behave && (*heal == 0 || since < *behave+*heal)
		if leaking && !announced {
			fmt.Println("leaking")
			announced = true
		}
		if *heal > 0 && since >= *behave+*heal && !healed {
			go func() {
				for range updates {
				}
			}()
			kept.mu.Lock()
			kept.items = nil
			kept.mu.Unlock()
			runtime.GC()
			debug.FreeOSMemory()
			fmt.Println("healed")
			healed = true
		}
		go serve(id, *leak, leaking)
		time.Sleep(*rate)
	}
}
