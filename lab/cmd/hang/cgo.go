//go:build cgo

// Built with CGO_ENABLED=1, the program links libc and has a C thread
// state (cgo), as services that use cgo do; attach must read it the same.
package main

// #include <unistd.h>
import "C"

func init() { _ = C.getpid() }
