package interop_test

import (
	"os/exec"
	"syscall"
)

// setPdeathsig makes the kernel kill cmd if the test binary dies before
// its cleanup stops it.
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
