// close-nil-channel: closing a channel that was never made → "panic: close of nil channel".
package main

type server struct{ quit chan struct{} }

func (s *server) stop() {
	close(s.quit) // godiag:root-cause
}

func main() {
	s := &server{}
	s.stop()
}
