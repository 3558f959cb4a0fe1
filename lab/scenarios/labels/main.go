// labels: a goroutine started inside pprof.Do inherits the profiler labels and panics.
// With GODEBUG=tracebacklabels=1 (Go 1.26+) goroutine headers show the labels.
package main

import (
	"context"
	"runtime/pprof"
	"time"
)

func background(ctx context.Context) {
	select {}
}

func serve(id string) {
	panic("serve: request " + id + " failed") // godiag:root-cause
}

func main() {
	ctx := context.Background()
	pprof.Do(ctx, pprof.Labels("worker", "janitor"), func(ctx context.Context) {
		go background(ctx)
	})
	time.Sleep(50 * time.Millisecond) // let the background goroutine park first
	pprof.Do(ctx, pprof.Labels("request_id", "abc-123", "route", "/api/v1"), func(ctx context.Context) {
		go serve("abc-123")
	})
	time.Sleep(5 * time.Second)
}
