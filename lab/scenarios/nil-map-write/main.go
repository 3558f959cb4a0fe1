// nil-map-write: writing to a map field that was never initialised
// → "panic: assignment to entry in nil map".
package main

type registry struct{ byName map[string]int }

func (r *registry) add(name string) {
	r.byName[name] = len(r.byName) // godiag:root-cause
}

func main() {
	r := &registry{}
	r.add("x")
}
