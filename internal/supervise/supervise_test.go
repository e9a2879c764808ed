//go:build unix

package supervise

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
)

func TestRestartsWithGrowingBackoff(t *testing.T) {
	file := filepath.Join(t.TempDir(), "notes")
	spec := helperSpec(t, "crash", file)
	spec.MinBackoff, spec.MaxBackoff = 100*time.Millisecond, 400*time.Millisecond
	var delays restartDelays
	spec.Logger = slog.New(&delays)
	sup, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	r := startRun(t, sup)
	await.True(t, 30*time.Second, "five starts", func() bool { return len(notes(t, file)) >= 5 })
	if err := r.stop(t, 10*time.Second); err != nil {
		t.Fatalf("Run: %v", err)
	}

	var starts []time.Time
	for _, line := range notes(t, file) {
		ns, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			t.Fatalf("note %q: %v", line, err)
		}
		starts = append(starts, time.Unix(0, ns))
	}
	// The delays before the 2nd..5th starts are 100, 200, 400 and 400 ms
	// (capped), as the supervisor decides them; between two starts there
	// is that delay at least, plus however long a start and a run take
	// (which on a loaded machine varies more than the delays do).
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}
	if got := delays.list(); len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("restart delays %v, want %v first", got, want)
	}
	for i, w := range want {
		if gap := starts[i+1].Sub(starts[i]); gap < w {
			t.Errorf("gap before start %d = %s, want at least %s", i+2, gap, w)
		}
	}

	st := sup.State()
	if st.Starts < 5 || st.Restarts != st.Starts-1 {
		t.Errorf("Starts %d, Restarts %d; want at least 5 and Starts-1", st.Starts, st.Restarts)
	}
	if st.Running || st.PID != 0 {
		t.Errorf("after Run: Running %v, PID %d", st.Running, st.PID)
	}
	if st.LastExit.Code != 3 && !st.LastExit.Requested {
		t.Errorf("LastExit = %+v, want code 3", st.LastExit)
	}
}

func TestStopSendsSIGTERMAndWaits(t *testing.T) {
	file := filepath.Join(t.TempDir(), "notes")
	spec := helperSpec(t, "trap", file)
	spec.StopTimeout = time.Minute
	sup, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	r := startRun(t, sup)
	await.True(t, 30*time.Second, "helper ready", func() bool { return noted(t, file, "ready") })

	st := sup.State()
	if !st.Running || st.PID == 0 || st.Starts != 1 || st.Restarts != 0 {
		t.Fatalf("State while running = %+v", st)
	}
	// The child leads a process group of its own, so a terminal's Ctrl-C
	// (sent to the agent's group) does not reach it.
	pgid, err := syscall.Getpgid(st.PID)
	if err != nil {
		t.Fatal(err)
	}
	if pgid != st.PID || pgid == syscall.Getpgrp() {
		t.Errorf("child pgid %d, child pid %d, our pgid %d: want the child to lead its own group", pgid, st.PID, syscall.Getpgrp())
	}

	begin := time.Now()
	if err := r.stop(t, 30*time.Second); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if took := time.Since(begin); took >= spec.StopTimeout {
		t.Errorf("stop took %s: it waited for the timeout", took)
	}
	if !noted(t, file, "term") {
		t.Error("helper got no SIGTERM")
	}
	exit := sup.State().LastExit
	if !exit.Requested || exit.Code != 0 || exit.Signal != "" || exit.PID != st.PID {
		t.Errorf("LastExit = %+v, want a requested clean exit of pid %d", exit, st.PID)
	}
}

func TestStopKillsOnlyAfterTimeout(t *testing.T) {
	file := filepath.Join(t.TempDir(), "notes")
	spec := helperSpec(t, "stubborn", file)
	spec.StopTimeout = 500 * time.Millisecond
	sup, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	r := startRun(t, sup)
	await.True(t, 30*time.Second, "helper ready", func() bool { return noted(t, file, "ready") })

	begin := time.Now()
	err = r.stop(t, 30*time.Second)
	took := time.Since(begin)
	if !errors.Is(err, ErrKilled) || strings.Count(err.Error(), "supervise ") != 1 {
		t.Fatalf("Run = %v, want ErrKilled", err)
	}
	if took < spec.StopTimeout {
		t.Errorf("killed after %s, before the %s stop timeout", took, spec.StopTimeout)
	}
	if !noted(t, file, "term") {
		t.Error("helper got no SIGTERM before SIGKILL")
	}
	exit := sup.State().LastExit
	if !exit.Requested || exit.Signal != "killed" || exit.Code != -1 {
		t.Errorf("LastExit = %+v, want killed", exit)
	}
}

func TestFirstStartFailureIsReturned(t *testing.T) {
	sup, err := New(Spec{Path: filepath.Join(t.TempDir(), "no-such-geth")})
	if err != nil {
		t.Fatal(err)
	}
	err = sup.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "no-such-geth") {
		t.Fatalf("Run = %v, want a start error naming the binary", err)
	}
	st := sup.State()
	if st.Starts != 0 || !strings.HasPrefix(st.LastExit.Reason, "start: ") {
		t.Errorf("State = %+v", st)
	}
}

func TestNewChecksSpec(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string // part of the error; empty for none
	}{
		{"ok", Spec{Path: "/bin/true"}, ""},
		{"no path", Spec{}, "no executable path"},
		{"min above max", Spec{Path: "geth", MinBackoff: time.Minute, MaxBackoff: time.Second}, "above MaxBackoff"},
		{"negative", Spec{Path: "geth", StopTimeout: -time.Second}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.spec)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("New = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	sup, err := New(Spec{Path: "/usr/local/bin/geth"})
	if err != nil {
		t.Fatal(err)
	}
	s := sup.spec
	if s.Name != "geth" || s.StopTimeout != 300*time.Second || s.MinBackoff != time.Second ||
		s.MaxBackoff != time.Minute || s.StableAfter != time.Minute || s.Stdout == nil || s.Stderr == nil {
		t.Errorf("defaults = %+v", s)
	}
	if st := sup.State(); st.Name != "geth" || st.Running {
		t.Errorf("State before Run = %+v", st)
	}
}

func TestNextDelay(t *testing.T) {
	spec := Spec{MinBackoff: time.Second, MaxBackoff: time.Minute, StableAfter: time.Minute}
	tests := []struct {
		delay, uptime, want time.Duration
	}{
		{time.Second, 0, time.Second},
		{8 * time.Second, 59 * time.Second, 8 * time.Second},
		{8 * time.Second, time.Minute, time.Second},
		{time.Minute, time.Hour, time.Second},
	}
	for _, tt := range tests {
		if got := nextDelay(tt.delay, tt.uptime, spec); got != tt.want {
			t.Errorf("nextDelay(%s, up %s) = %s, want %s", tt.delay, tt.uptime, got, tt.want)
		}
	}
}

// restartDelays is a slog handler that keeps the restart_in of every
// restart the supervisor logs.
type restartDelays struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (r *restartDelays) Enabled(context.Context, slog.Level) bool { return true }
func (r *restartDelays) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *restartDelays) WithGroup(string) slog.Handler            { return r }

func (r *restartDelays) Handle(_ context.Context, rec slog.Record) error {
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "restart_in" {
			r.mu.Lock()
			r.delays = append(r.delays, a.Value.Duration())
			r.mu.Unlock()
		}
		return true
	})
	return nil
}

func (r *restartDelays) list() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.delays)
}
