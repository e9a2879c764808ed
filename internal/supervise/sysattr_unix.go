//go:build unix && !linux

package supervise

import "syscall"

// sysProcAttr puts the child in a process group of its own, so a terminal's
// Ctrl-C does not reach it. (There is no parent-death signal outside Linux.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
