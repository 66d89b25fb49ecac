//go:build !linux

package interop_test

import "os/exec"

// setPdeathsig does nothing where the kernel has no parent-death signal:
// the test's cleanup still stops the process.
func setPdeathsig(*exec.Cmd) {}
