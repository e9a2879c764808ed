//go:build unix

package supervise

import (
	"errors"
	"os"
	"syscall"
)

// terminate sends SIGTERM to the process's group (the child leads its own
// group, so this reaches whatever it started too).
func terminate(p *os.Process) error { return signalGroup(p.Pid, syscall.SIGTERM) }

// kill sends SIGKILL to the process's group.
func kill(p *os.Process) error { return signalGroup(p.Pid, syscall.SIGKILL) }

// signalGroup signals the process group led by pid; a group that is
// already gone is not an error.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// exitSignal names the signal that ended the process, if one did.
func exitSignal(ps *os.ProcessState) string {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return ""
	}
	return ws.Signal().String()
}
