// core-stack-overflow: a config resolver follows "include" links recursively and the
// config includes itself through a cycle (a → b → c → a), so the recursion never ends.
// debug.SetMaxStack(4 MiB) keeps the overflowing stack (and the core) small: "goroutine
// stack exceeds 4194304-byte limit", "fatal error: stack overflow".
package main

import (
	"fmt"
	"runtime/debug"
)

type config struct {
	name    string
	include *config
}

// resolve merges n and everything it includes; scratch makes each frame ~300 bytes.
//
//go:noinline
func resolve(n *config, depth int) int {
	var scratch [32]int
	for i := range scratch {
		scratch[i] = depth + i + len(n.name)
	}
	if n.include == nil {
		return scratch[depth%len(scratch)]
	}
	return resolve(n.include, depth+1) + scratch[(depth*7)%len(scratch)] // godiag:root-cause
}

func main() {
	debug.SetMaxStack(4 << 20)
	a := &config{name: "a.yaml"}
	b := &config{name: "b.yaml"}
	c := &config{name: "c.yaml"}
	a.include, b.include, c.include = b, c, a
	fmt.Println(resolve(a, 0))
}
