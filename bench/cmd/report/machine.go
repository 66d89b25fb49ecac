package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes where the benchmarks ran.
type machine struct {
	cpu   string // model name
	cpus  int
	goVer string
	os    string
}

func thisMachine(fallbackCPU string) machine {
	m := machine{cpu: fallbackCPU, cpus: runtime.NumCPU(), goVer: runtime.Version(), os: runtime.GOOS + "/" + runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if m.cpu == "" {
		m.cpu = "unknown CPU"
	}
	return m
}

// moduleVersions returns the version of each module path in the bench
// module's build list, by asking the go command.
func moduleVersions(paths ...string) map[string]string {
	out := map[string]string{}
	args := append([]string{"list", "-m", "-f", "{{.Path}} {{.Version}}"}, paths...)
	b, err := exec.Command("go", args...).Output()
	if err != nil {
		return out
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if p, v, ok := strings.Cut(line, " "); ok {
			out[p] = v
		}
	}
	return out
}
