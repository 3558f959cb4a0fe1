// panic-custom-error: panic with a custom error type whose Error() text spans several
// lines (continuation lines are tab-indented from Go 1.23, raw before).
package main

import "fmt"

type ConfigError struct {
	File string
	Line int
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("config: invalid value in %s:%d\nexpected: a duration like 5s\ngot: \"soon\"", e.File, e.Line)
}

func loadConfig(path string) {
	panic(&ConfigError{File: path, Line: 12}) // godiag:root-cause
}

func main() {
	loadConfig("app.yaml")
}
