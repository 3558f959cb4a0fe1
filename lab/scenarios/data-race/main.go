// data-race (build with -race): a goroutine writes `last` while main reads it
// with no synchronisation → "WARNING: DATA RACE", exit status 66.
package main

import (
	"fmt"
	"time"
)

var last string

func record(v string) {
	last = v
}

func main() {
	go record("from goroutine")
	time.Sleep(100 * time.Millisecond) // no happens-before edge: sleeping is not synchronisation
	fmt.Println(last) // godiag:root-cause
}
