// waitgroup-negative: Done called more often than Add → "panic: sync: negative WaitGroup counter".
package main

import "sync"

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	wg.Done()
	wg.Done() // godiag:root-cause
}
