// close-closed-channel: closing a channel twice → "panic: close of closed channel".
package main

func shutdown(ch chan struct{}) {
	close(ch) // godiag:root-cause
}

func main() {
	ch := make(chan struct{})
	close(ch)
	shutdown(ch)
}
