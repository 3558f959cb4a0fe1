// deadlock-exec-writer: the command's output goes to a gate whose Write waits on a
// channel no one sends to; os/exec copies the output in a goroutine of its own, and
// Cmd.Wait waits for that goroutine → "all goroutines are asleep - deadlock!" with
// main in os/exec and the copier parked in the program's Write.
package main

import (
	"os/exec"
)

type gate struct {
	open chan struct{}
}

func (g *gate) Write(p []byte) (int, error) {
	<-g.open // godiag:root-cause
	return len(p), nil
}

func main() {
	cmd := exec.Command("echo", "hello")
	cmd.Stdout = &gate{open: make(chan struct{})}
	if err := cmd.Run(); err != nil {
		println(err.Error())
	}
}
