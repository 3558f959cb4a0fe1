// unlock-unlocked-mutex: Unlock on a mutex that is not locked
// → "fatal error: sync: unlock of unlocked mutex" (unrecoverable).
package main

import "sync"

var mu sync.Mutex

func release() {
	mu.Unlock() // godiag:root-cause
}

func main() {
	release()
}
