// trace-annotations: 10 requests, each a user task "request" with a nested task "db", regions
// parse (2 ms), query (20 ms, inside "db") and render (5 ms) and trace.Log records; the
// query region is where the time goes. Writes trace.out to $LAB_FILES_DIR.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/trace"
	"sync"
	"time"
)

func query(ctx context.Context, id int) int {
	ctx, task := trace.NewTask(ctx, "db")
	defer task.End()
	trace.Logf(ctx, "sql", "SELECT * FROM orders WHERE id = %d", id)
	rows := 0
	trace.WithRegion(ctx, "query", func() {
		time.Sleep(20 * time.Millisecond) // godiag:root-cause
		rows = id % 3
	})
	trace.Logf(ctx, "rows", "%d", rows)
	return rows
}

func handle(ctx context.Context, id int) {
	ctx, task := trace.NewTask(ctx, "request")
	defer task.End()
	trace.Log(ctx, "request_id", fmt.Sprintf("req-%02d", id))
	trace.WithRegion(ctx, "parse", func() { time.Sleep(2 * time.Millisecond) })
	rows := query(ctx, id)
	r := trace.StartRegion(ctx, "render")
	time.Sleep(5 * time.Millisecond)
	r.End()
	trace.Logf(ctx, "status", "200 rows=%d", rows)
}

func main() {
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "trace.out"))
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for id := 1; id <= 10; id++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			handle(ctx, id)
		}(id)
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
