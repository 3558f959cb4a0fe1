// labels-127: the labels scenario in a module that says `go 1.27`, where goroutine
// headers carry profiler labels by default: "goroutine N [state] {k: v}:".
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
