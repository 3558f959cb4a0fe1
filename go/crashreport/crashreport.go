// Package crashreport sends a Go program's crash to `godiag serve`.
//
// Call Start at the top of main:
//
//	func main() {
//		crashreport.Start("https://godiag.example/api/v1/reports")
//		...
//	}
//
// Start re-executes the program as a monitor process and points the
// runtime's crash output at it (runtime/debug.SetCrashOutput, Go 1.23+), on
// the pattern of golang.org/x/telemetry's crash monitor. When the program
// crashes, the runtime writes the crash to standard error as always and to
// the monitor, which posts it to the server with the service, Go version
// and host. The program's exit status and output are unchanged. When the
// program ends without crashing, the monitor exits with nothing to send.
package crashreport

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"
)

// monitorEnv marks the re-executed process as the monitor; its value is
// the server's URL.
const monitorEnv = "GODIAG_CRASHREPORT_MONITOR"

// Options say what a report carries besides the crash.
type Options struct {
	// Service names the program (default: the executable's name).
	Service string
	// Token is sent as `Authorization: Bearer TOKEN` when set.
	Token string
}

// Start starts the monitor, or, in the monitor process, runs it and exits.
// Errors are printed to standard error and leave the program running
// without crash reports.
func Start(url string) { StartWith(url, Options{}) }

// StartWith is Start with options.
func StartWith(url string, opts Options) {
	if os.Getenv(monitorEnv) != "" {
		monitor(url, opts)
		os.Exit(0)
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "crashreport: %v\n", err)
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "crashreport: %v\n", err)
		return
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), monitorEnv+"=1")
	cmd.Stdin = r
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	// Its own process group: a Ctrl-C meant for the program does not stop
	// the monitor before it has sent the crash.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "crashreport: starting the monitor: %v\n", err)
		return
	}
	r.Close()
	if err := debug.SetCrashOutput(w, debug.CrashOptions{}); err != nil {
		fmt.Fprintf(os.Stderr, "crashreport: %v\n", err)
	}
	w.Close() // the runtime holds its own copy
	// The monitor is reaped when it exits; the program need not wait.
	go cmd.Wait()
}

// monitor reads the crash output until the program exits, and posts it if
// there is any.
func monitor(url string, opts Options) {
	signal.Ignore(syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM)
	crash, err := io.ReadAll(os.Stdin)
	if err != nil || len(bytes.TrimSpace(crash)) == 0 {
		return
	}
	service := opts.Service
	if service == "" {
		if exe, err := os.Executable(); err == nil {
			service = filepath.Base(exe)
		}
	}
	host, _ := os.Hostname()
	req, err := http.NewRequest("POST", url, bytes.NewReader(crash))
	if err != nil {
		fmt.Fprintf(os.Stderr, "crashreport: %v\n", err)
		return
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	req.Header.Set("X-Godiag-Service", service)
	req.Header.Set("X-Godiag-Version", runtime.Version())
	req.Header.Set("X-Godiag-Host", host)
	if opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+opts.Token)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(os.Stderr, "crashreport: sending the crash: %v\n", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		fmt.Fprintf(os.Stderr, "crashreport: the server answered %s\n", resp.Status)
	}
}
