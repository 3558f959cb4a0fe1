// fatal-in-defer-after-segv: a nil dereference panics, then the deferred mu.Unlock()
// runs on a mutex that was never locked → "fatal error: sync: unlock of unlocked
// mutex" hides the SIGSEGV (1.26+ prints the pending panic first).
package main

import (
	"fmt"
	"sync"
)

type session struct{ user string }

var mu sync.Mutex

func lookup(s *session) string {
	defer mu.Unlock() // bug 2: never locked
	return s.user // godiag:root-cause
}

func main() {
	fmt.Println(lookup(nil))
}
