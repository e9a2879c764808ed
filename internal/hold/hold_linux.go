package hold

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// poll is how often Run looks for the held file to go, and Stop for the
// client to be gone.
const poll = 250 * time.Millisecond

// Run records this process in dir, waits while dir holds the client back,
// and then becomes argv[0] (looked up in PATH) with argv and the
// environment. It returns only on failure. SIGTERM while it waits ends it,
// as it would the client.
func Run(dir string, argv []string, log *slog.Logger) error {
	if len(argv) == 0 {
		return errors.New("hold: no command to run")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return fmt.Errorf("hold: %w", err)
	}
	self := os.Getpid()
	st, err := stat(self)
	if err != nil {
		return err
	}
	if err := writePID(dir, process{pid: self, start: st.start}); err != nil {
		return err
	}
	if Held(dir) {
		log.Info("held: the agent is taking a snapshot; the client starts when it is done", "client", argv[0])
		for Held(dir) {
			time.Sleep(poll)
		}
		log.Info("released: starting the client", "client", argv[0])
	}
	if err := syscall.Exec(path, argv, os.Environ()); err != nil {
		return fmt.Errorf("hold: exec %s: %w", path, err)
	}
	return nil
}

// Stop holds the client of dir back and stops it: SIGTERM to the process
// Run recorded, then a wait until it is gone or grace has passed. A client
// whose process is not running (its container restarting, say) is left to
// the hold. Release lets it start again.
func Stop(ctx context.Context, dir string, grace time.Duration) error {
	if err := hold(dir); err != nil {
		return err
	}
	p, err := readPID(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // it has not started yet; when it does, it waits
	}
	if err != nil {
		return err
	}
	if !running(p) {
		return nil
	}
	if err := syscall.Kill(p.pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("hold: stop the client (pid %d): %w", p.pid, err)
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	deadline := time.After(grace)
	for running(p) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("hold: the client (pid %d) did not stop within %s of SIGTERM", p.pid, grace)
		case <-t.C:
		}
	}
	return nil
}

// running reports whether p is still the process it was and has not
// exited (an exited process waiting to be reaped is a zombie: done).
func running(p process) bool {
	st, err := stat(p.pid)
	return err == nil && st.start == p.start && st.state != 'Z' && st.state != 'X'
}

// procStat is what Stop needs of /proc/PID/stat.
type procStat struct {
	state byte
	start uint64 // starttime, field 22: clock ticks after boot
}

// stat reads /proc/PID/stat. The command name (field 2) is in parentheses
// and may hold spaces or parentheses itself, so the fields are counted
// from after its last ')'.
func stat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, fmt.Errorf("hold: %w", err)
	}
	return parseStat(string(b))
}

func parseStat(s string) (procStat, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("hold: /proc stat %q: no command name", s)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3, the state
	if len(f) < 20 || len(f[0]) != 1 {
		return procStat{}, fmt.Errorf("hold: /proc stat %q: too few fields", s)
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("hold: /proc stat: starttime: %w", err)
	}
	return procStat{state: f[0][0], start: start}, nil
}
