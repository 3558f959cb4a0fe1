// crashy: a program that reports its crash with crashreport, for the tests
// of `godiag serve`. With the argument "ok" it ends normally; otherwise it
// dereferences a nil pointer in main.lookup. The server's URL comes from
// GODIAG_SERVE_URL.
package main

import (
	"fmt"
	"os"

	"godiag.dev/crashreport"
)

type session struct{ user string }

func lookup(s *session) string {
	return s.user
}

func main() {
	crashreport.StartWith(os.Getenv("GODIAG_SERVE_URL")+"/api/v1/reports", crashreport.Options{Token: os.Getenv("GODIAG_SERVE_TOKEN")})
	if len(os.Args) > 1 && os.Args[1] == "ok" {
		fmt.Println("done")
		return
	}
	var s *session
	fmt.Println(lookup(s))
}
