//go:build !unix

package supervise

import (
	"os"
	"syscall"
)

// Outside Unix there is no SIGTERM to send: a stop kills the process at
// once. ethfleet's agent is meant for Linux; this keeps the package
// building elsewhere.

func sysProcAttr() *syscall.SysProcAttr { return nil }

func terminate(p *os.Process) error { return p.Kill() }

func kill(p *os.Process) error { return p.Kill() }

func exitSignal(*os.ProcessState) string { return "" }
