// service-leak: an HTTP service with net/http/pprof whose /search handler starts a
// backend lookup and, when the lookup is slower than its 5 ms budget, returns without
// reading the lookup's result: the lookup goroutine then blocks forever sending on its
// unbuffered channel. A load loop calls /search every 2 ms, so leaked lookups pile up.
// Mutex and block profiling are on. It prints "listening on http://ADDR" and serves
// until killed; `godiag collect http://ADDR` is what the tests run against it. With
// GODIAG_LAB_TLS_TOKEN set it also serves over TLS, with a certificate it makes at start
// (self-signed), only to requests with `Authorization: Bearer <token>` or basic auth
// godiag:<token>, and prints "listening on https://ADDR" next.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
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
	if token := os.Getenv("GODIAG_LAB_TLS_TOKEN"); token != "" {
		serveTLS(token)
	}
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

// serveTLS serves the same handlers over TLS to authorised requests only.
func serveTLS(token string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on https://%s\n", ln.Addr())
	authorised := func(r *http.Request) bool {
		if r.Header.Get("Authorization") == "Bearer "+token {
			return true
		}
		user, pass, ok := r.BasicAuth()
		return ok && user == "godiag" && pass == token
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !authorised(r) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		http.DefaultServeMux.ServeHTTP(w, r)
	}))
}
