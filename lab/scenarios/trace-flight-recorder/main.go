// trace-flight-recorder: a flight recorder (runtime/trace.FlightRecorder, Go 1.25+) keeps the
// last ~200 ms of trace while requests run for ~1.4 s; one request waits ~120 ms for a mutex that a
// compaction holds, and the program snapshots the recorder to flight.out in $LAB_FILES_DIR.

//go:build go1.25

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/trace"
	"sync"
	"time"
)

type store struct {
	mu   sync.Mutex
	data map[int]int
}

// compact rewrites the store while holding its lock for ~120 ms.
func (s *store) compact() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for end := time.Now().Add(120 * time.Millisecond); time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	s.data = map[int]int{}
}

// get serves one request; it measures how long it waited for the lock.
func (s *store) get(k int) (int, time.Duration) {
	t0 := time.Now()
	s.mu.Lock() // godiag:root-cause
	waited := time.Since(t0)
	v := s.data[k]
	s.data[k] = v + 1
	s.mu.Unlock()
	return v, waited
}

func main() {
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{
		MinAge:   200 * time.Millisecond,
		MaxBytes: 1 << 20,
	})
	if err := fr.Start(); err != nil {
		panic(err)
	}
	s := &store{data: map[int]int{}}
	start := time.Now()
	slow := make(chan time.Duration, 1)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Since(start) < 1500*time.Millisecond; i++ {
				if _, waited := s.get(w*100 + i%100); waited > 50*time.Millisecond {
					select {
					case slow <- waited:
					default:
					}
					return
				}
				time.Sleep(2 * time.Millisecond)
			}
		}(w)
	}
	go func() {
		time.Sleep(1300 * time.Millisecond)
		s.compact()
	}()
	var waited time.Duration
	select {
	case waited = <-slow: // a slow request: snapshot the last moments
		// Give the requests queued behind it 20 ms to get the lock too, so that every
		// wait ends inside the snapshot.
		time.Sleep(20 * time.Millisecond)
	case <-time.After(3 * time.Second):
	}
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "flight.out"))
	if err != nil {
		panic(err)
	}
	if _, err := fr.WriteTo(f); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	fr.Stop()
	wg.Wait()
	fmt.Println("slow request waited", waited)
}
