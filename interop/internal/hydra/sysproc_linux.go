package hydra

import "syscall"

// sysProcAttr has Hydra killed when the test process dies, so that a test
// binary stopped by its timeout leaves no server behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
