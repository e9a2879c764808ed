package supervise

import "syscall"

// sysProcAttr puts the child in a process group of its own, so a terminal's
// Ctrl-C does not reach it, and has the kernel send it SIGTERM if the agent
// dies, so no orphan keeps the data directory locked.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
