// service-leak: an HTTP service with net/http/pprof whose /search handler starts a
// backend lookup and, when the lookup is slower than its 5 ms budget, returns without
// reading the lookup's result: the lookup goroutine then blocks forever sending on its
// unbuffered channel. A load loop calls /search every 2 ms, so leaked lookups pile up.
// Mutex and block profiling are on. It prints "listening on http://ADDR" and serves
// until killed; `godiag collect http://ADDR` is what the tests run against it.
package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"sync"
	"time"
)

var (
	mu    sync.Mutex
	cache = map[string]string{}
)

func lookup(q string, out chan<- string) {
	time.Sleep(time.Duration(len(q)) * time.Millisecond) // a slow backend
	mu.Lock()
	cache[q] = q
	mu.Unlock()
	out <- "result for " + q // godiag:root-cause
}

func search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	out := make(chan string) // unbuffered: the sender needs a reader
	go lookup(q, out)
	select {
	case res := <-out:
		fmt.Fprintln(w, res)
	case <-time.After(5 * time.Millisecond):
		http.Error(w, "timeout", http.StatusGatewayTimeout) // and nobody reads out
	}
}

func main() {
	runtime.SetMutexProfileFraction(5)
	runtime.SetBlockProfileRate(10000)
	http.HandleFunc("/search", search)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go func() {
		client := &http.Client{Timeout: time.Second}
		for i := 0; ; i++ {
			q := "query-" + fmt.Sprint(i%7) + "-abcdefgh" // 16+ ms: always too slow
			if resp, err := client.Get("http://" + ln.Addr().String() + "/search?q=" + q); err == nil {
				resp.Body.Close()
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
