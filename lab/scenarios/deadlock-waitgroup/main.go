// deadlock-waitgroup: Add(3) but only two workers call Done → Wait blocks forever,
// "all goroutines are asleep - deadlock!" (status semacquire ≤1.23, sync.WaitGroup.Wait 1.24+).
package main

import "sync"

func main() {
	var wg sync.WaitGroup
	wg.Add(3)
	for i := 0; i < 2; i++ {
		go func() { defer wg.Done() }()
	}
	wg.Wait() // godiag:root-cause
}
