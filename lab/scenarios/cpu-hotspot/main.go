// cpu-hotspot: countValid calls regexp.MatchString for every address, recompiling the
// same pattern each time, which takes most of the CPU. Writes a 2 s cpu.pb.gz to $LAB_FILES_DIR.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strings"
	"time"
)

const emailPattern = `^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$`

func countValid(addrs []string) int {
	n := 0
	for _, a := range addrs {
		if ok, _ := regexp.MatchString(emailPattern, a); ok { // godiag:root-cause
			n++
		}
	}
	return n
}

// Cheap healthy work done for the same batch.
func normalize(addrs []string) int {
	n := 0
	for _, a := range addrs {
		n += len(strings.TrimSpace(a))
	}
	return n
}

func main() {
	addrs := make([]string, 200)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("user%d.name@example%d.com", i, i%7)
	}
	f, err := os.Create(filepath.Join(os.Getenv("LAB_FILES_DIR"), "cpu.pb.gz"))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	total := 0
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
		total += normalize(addrs)
		total += countValid(addrs)
	}
	pprof.StopCPUProfile()
	fmt.Println(total)
}
