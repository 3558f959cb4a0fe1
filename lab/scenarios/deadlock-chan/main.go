// deadlock-chan: main waits on a channel that nobody will ever send to
// → "fatal error: all goroutines are asleep - deadlock!".
package main

import "fmt"

func main() {
	results := make(chan int)
	go func() {
		fmt.Println("worker exits without sending")
	}()
	fmt.Println(<-results) // godiag:root-cause
}
