package supervise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"
)

// ErrKilled is wrapped by the error Run returns when the process did not
// stop within StopTimeout of SIGTERM and had to be killed.
var ErrKilled = errors.New("killed after stop timeout")

// Supervisor runs one Spec. Create it with New, run it with Run, and read
// its State from any goroutine.
type Supervisor struct {
	spec Spec
	log  *slog.Logger

	mu    sync.Mutex
	state State
}

// New checks spec and fills in its defaults. It starts nothing.
func New(spec Spec) (*Supervisor, error) {
	spec, err := spec.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Supervisor{
		spec:  spec,
		log:   spec.Logger.With("process", spec.Name),
		state: State{Name: spec.Name},
	}, nil
}

// State returns a snapshot of the supervised process.
func (s *Supervisor) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Run starts the process and keeps it running until ctx ends: whenever it
// exits on its own, Run logs the exit and starts it again after a delay
// that doubles from MinBackoff up to MaxBackoff with every exit that came
// sooner than StableAfter after its start.
//
// When ctx ends, Run sends SIGTERM to the process's group, waits up to
// StopTimeout for it to exit, and only then sends SIGKILL. It returns nil
// after a clean stop, and an error wrapping ErrKilled after a kill.
//
// If the very first start fails (no such file, not executable), Run
// returns that error at once: retrying would not help. Later start
// failures are retried like crashes. Run one Run at a time.
func (s *Supervisor) Run(ctx context.Context) error {
	delay := s.spec.MinBackoff
	for first := true; ; first = false {
		if ctx.Err() != nil {
			return nil
		}
		exit, err := s.runOnce(ctx)
		if exit.Requested {
			return err
		}
		if err != nil && first {
			return fmt.Errorf("supervise %s: %w", s.spec.Name, err)
		}
		delay = nextDelay(delay, exit.Uptime, s.spec)
		s.log.Warn("process exited; restarting", "pid", exit.PID, "status", exit.Reason,
			"uptime", exit.Uptime.Round(time.Millisecond), "restart_in", delay)
		if !s.backoff(ctx, delay) {
			return nil
		}
		delay = min(2*delay, s.spec.MaxBackoff)
	}
}

// nextDelay is the wait before the next start, given the delay the
// previous restart would have used and how long the process ran: a
// process that stayed up for StableAfter starts the sequence over.
func nextDelay(delay, uptime time.Duration, spec Spec) time.Duration {
	if uptime >= spec.StableAfter {
		return spec.MinBackoff
	}
	return delay
}

// backoff waits d, or until ctx ends; it reports whether the wait ran out.
func (s *Supervisor) backoff(ctx context.Context, d time.Duration) bool {
	s.mu.Lock()
	s.state.NextStart = time.Now().Add(d)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.state.NextStart = time.Time{}
		s.mu.Unlock()
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// runOnce starts one process and waits for it to exit, stopping it when
// ctx ends. The error is a failed start, or a stop that needed SIGKILL.
func (s *Supervisor) runOnce(ctx context.Context) (Exit, error) {
	cmd, done, err := s.start()
	if err != nil {
		exit := Exit{At: time.Now(), Code: -1, Reason: "start: " + err.Error()}
		s.recordExit(exit)
		return exit, fmt.Errorf("start: %w", err)
	}
	started := time.Now()
	pid := cmd.Process.Pid
	s.recordStart(pid, started)
	s.log.Info("process started", "pid", pid, "path", s.spec.Path)

	var waitErr error
	requested, killed := false, false
	select {
	case waitErr = <-done:
	case <-ctx.Done():
		requested = true
		killed, waitErr = s.stop(cmd, done)
	}
	exit := describeExit(cmd.ProcessState, waitErr)
	exit.At, exit.PID, exit.Uptime, exit.Requested = time.Now(), pid, time.Since(started), requested
	s.recordExit(exit)
	if killed {
		return exit, fmt.Errorf("supervise %s: pid %d did not stop within %s of SIGTERM: %w",
			s.spec.Name, pid, s.spec.StopTimeout, ErrKilled)
	}
	if requested {
		s.log.Info("process stopped", "pid", pid, "status", exit.Reason)
	}
	return exit, nil
}

// start starts the process and a goroutine that waits for it; done gets
// Wait's result. The goroutine keeps its OS thread locked for the child's
// whole life: Linux delivers the parent-death signal when the thread that
// forked the child ends, and an unlocked thread could be ended under it
// by an unrelated goroutine that locks and exits.
func (s *Supervisor) start() (*exec.Cmd, <-chan error, error) {
	cmd := exec.Command(s.spec.Path, s.spec.Args...)
	cmd.Dir = s.spec.Dir
	cmd.Env = append(os.Environ(), s.spec.Env...)
	cmd.Stdout, cmd.Stderr = s.spec.Stdout, s.spec.Stderr
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = waitDelay

	started := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		done <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, nil, err
	}
	return cmd, done, nil
}

// stop sends SIGTERM to the process group, waits up to StopTimeout, then
// sends SIGKILL. It returns whether SIGKILL was needed, and Wait's result.
func (s *Supervisor) stop(cmd *exec.Cmd, done <-chan error) (bool, error) {
	pid := cmd.Process.Pid
	s.log.Info("stopping process", "pid", pid, "signal", "SIGTERM", "timeout", s.spec.StopTimeout)
	if err := terminate(cmd.Process); err != nil {
		s.log.Warn("could not send SIGTERM", "pid", pid, "err", err)
	}
	t := time.NewTimer(s.spec.StopTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return false, err
	case <-t.C:
	}
	s.log.Error("process did not stop in time; sending SIGKILL", "pid", pid, "timeout", s.spec.StopTimeout)
	if err := kill(cmd.Process); err != nil {
		s.log.Warn("could not send SIGKILL", "pid", pid, "err", err)
	}
	return true, <-done
}

// describeExit turns a finished process's state into an Exit (without its
// times and pid).
func describeExit(ps *os.ProcessState, waitErr error) Exit {
	if ps == nil {
		reason := "unknown"
		if waitErr != nil {
			reason = waitErr.Error()
		}
		return Exit{Code: -1, Reason: reason}
	}
	return Exit{Code: ps.ExitCode(), Signal: exitSignal(ps), Reason: ps.String()}
}

func (s *Supervisor) recordStart(pid int, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.Running, s.state.PID, s.state.Started = true, pid, at
	s.state.Starts++
	s.state.Restarts = s.state.Starts - 1
}

func (s *Supervisor) recordExit(exit Exit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.Running, s.state.PID, s.state.Started = false, 0, time.Time{}
	s.state.LastExit = exit
}
