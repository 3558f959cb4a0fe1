// trace-blocking-io: four clients wait on a loopback TCP backend that answers each request after
// 50 ms, and a reader blocks in read(2) on a pipe written every 50 ms; ~500 ms of mostly
// network and syscall blocking. Writes trace.out to $LAB_FILES_DIR.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

// backend answers every 8-byte request after 50 ms.
func backend(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			buf := make([]byte, 8)
			for {
				if _, err := io.ReadFull(c, buf); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond) // the slow backend
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}(conn)
	}
}

// fetch sends one request and waits for the reply.
func fetch(c net.Conn, r *bufio.Reader, req []byte) error {
	if _, err := c.Write(req); err != nil {
		return err
	}
	_, err := io.ReadFull(r, req) // godiag:root-cause
	return err
}

func client(addr string, deadline time.Time) int {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	n := 0
	for time.Now().Before(deadline) {
		if err := fetch(c, r, []byte("request!")); err != nil {
			panic(err)
		}
		n++
	}
	return n
}

// readPipe blocks in read(2) on a blocking pipe fd (not the netpoller) until the writer
// closes it.
func readPipe(fd int) int {
	buf := make([]byte, 64)
	total := 0
	for {
		n, err := syscall.Read(fd, buf)
		if err != nil || n <= 0 {
			return total
		}
		total += n
	}
}

func main() {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "trace.out"))
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go backend(ln)
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	var wg sync.WaitGroup
	var mu sync.Mutex
	requests, piped := 0, 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := client(ln.Addr().String(), deadline)
			mu.Lock()
			requests += n
			mu.Unlock()
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		piped = readPipe(p[0])
	}()
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		syscall.Write(p[1], []byte("tick\n"))
	}
	syscall.Close(p[1])
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	ln.Close()
	fmt.Println(requests, "requests,", piped, "bytes piped")
}
