//go:build !linux

package hydra

import "syscall"

// sysProcAttr: outside Linux, Hydra is stopped by Close only.
func sysProcAttr() *syscall.SysProcAttr { return nil }
