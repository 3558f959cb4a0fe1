// send-closed-channel: sending on a channel after it was closed → "panic: send on closed channel".
package main

func main() {
	jobs := make(chan int, 4)
	jobs <- 1
	close(jobs)
	jobs <- 2 // godiag:root-cause
}
