// goroutine-leak-minutes: like goroutine-leak, but after leaking it forces two GCs (the
// second stamps the parked goroutines' wait start with the first one's end time) and
// sleeps 65 s, so the debug=2 dump ($LAB_DUMP_PREFIX.debug2.txt) shows "1 minutes".
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

func handleRequest(id int) {
	reply := make(chan string)
	resp := <-reply // godiag:root-cause
	fmt.Println(id, resp)
}

func main() {
	for id := 0; id < 200; id++ {
		go handleRequest(id)
	}
	time.Sleep(100 * time.Millisecond)
	runtime.GC() // the first GC's mark phase sees work.tstart == 0 and stamps nothing
	runtime.GC()
	time.Sleep(65 * time.Second)
	for id := 200; id < 220; id++ { // recent leaks: no minutes yet
		go handleRequest(id)
	}
	time.Sleep(100 * time.Millisecond)
	f, err := os.Create(os.Getenv("LAB_DUMP_PREFIX") + ".debug2.txt")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
}
