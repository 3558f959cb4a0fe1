// rwmutex-runlock-unlocked: RWMutex.RUnlock without a matching RLock
// → "fatal error: sync: RUnlock of unlocked RWMutex".
package main

import "sync"

var rw sync.RWMutex

func main() {
	rw.Lock()
	rw.Unlock()
	rw.RUnlock() // godiag:root-cause
}
