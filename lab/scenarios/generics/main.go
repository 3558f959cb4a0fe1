// generics: a panic in a method of a generic type, called from a generic function
// → frames print type arguments as [...], e.g. main.(*Stack[...]).Pop.
package main

import "fmt"

type Stack[T any] struct{ items []T }

func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }

func (s *Stack[T]) Pop() T {
	if len(s.items) == 0 {
		panic("Stack.Pop: empty stack") // godiag:root-cause
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v
}

func Drain[T any](s *Stack[T], n int) []T {
	var out []T
	for i := 0; i < n; i++ {
		out = append(out, s.Pop())
	}
	return out
}

func main() {
	s := &Stack[string]{}
	s.Push("a")
	s.Push("b")
	fmt.Println(Drain(s, 3))
}
