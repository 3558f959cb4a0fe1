// rwmutex-unlock-unlocked: RWMutex.Unlock without a matching Lock
// → "fatal error: sync: Unlock of unlocked RWMutex".
package main

import "sync"

var rw sync.RWMutex

func main() {
	rw.RLock()
	rw.RUnlock()
	rw.Unlock() // godiag:root-cause
}
