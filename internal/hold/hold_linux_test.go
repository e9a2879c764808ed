package hold

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
)

// TestMain lets a test start Run in a process of its own: this test binary
// with HOLD_TEST_DIR set runs Run(HOLD_TEST_DIR, its arguments).
func TestMain(m *testing.M) {
	if dir := os.Getenv("HOLD_TEST_DIR"); dir != "" {
		err := Run(dir, os.Args[1:], slog.New(slog.DiscardHandler))
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// startRun starts a process that runs Run(dir, argv), and awaits its pid
// file.
func startRun(t *testing.T, dir string, argv ...string) *exec.Cmd {
	t.Helper()
	os.Remove(filepath.Join(dir, pidFile))
	cmd := exec.Command(os.Args[0], argv...)
	cmd.Env = append(os.Environ(), "HOLD_TEST_DIR="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	await.True(t, 10*time.Second, "the pid file", func() bool {
		p, err := readPID(dir)
		return err == nil && p.pid == cmd.Process.Pid
	})
	return cmd
}

// comm is the name of what process pid runs.
func comm(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSpace(string(b))
}

// TestRunAndStop: a held Run waits; released, it becomes the client in the
// same process; Stop holds it again and ends it with SIGTERM.
func TestRunAndStop(t *testing.T) {
	dir := t.TempDir()
	if err := hold(dir); err != nil {
		t.Fatal(err)
	}
	cmd := startRun(t, dir, "sleep", "600")
	pid := cmd.Process.Pid
	if got := comm(pid); got == "sleep" {
		t.Fatal("the client started while held")
	}
	if was, err := Release(dir); !was || err != nil {
		t.Fatalf("Release: %v, %v; want true, nil", was, err)
	}
	await.True(t, 10*time.Second, "the client to start in Run's process", func() bool { return comm(pid) == "sleep" })

	if err := Stop(t.Context(), dir, 10*time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !Held(dir) {
		t.Error("Stop did not hold the client back")
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.String() != "signal: terminated" {
		t.Errorf("the client ended with %v, want SIGTERM", err)
	}
	if was, err := Release(dir); !was || err != nil {
		t.Errorf("Release after Stop: %v, %v", was, err)
	}
	if was, err := Release(dir); was || err != nil {
		t.Errorf("Release of a client not held: %v, %v; want false, nil", was, err)
	}
}

// TestStopWithoutClient: where no client runs, Stop only holds: no pid
// file yet, a process that has exited, or its number now another's.
func TestStopWithoutClient(t *testing.T) {
	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	self, err := stat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pid  *process
	}{
		{"never started", nil},
		{"exited", &process{pid: exited.Process.Pid, start: 1}},
		{"number reused", &process{pid: os.Getpid(), start: self.start + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.pid != nil {
				if err := writePID(dir, *tt.pid); err != nil {
					t.Fatal(err)
				}
			}
			if err := Stop(t.Context(), dir, time.Second); err != nil {
				t.Errorf("Stop: %v", err)
			}
			if !Held(dir) {
				t.Error("not held")
			}
		})
	}
}

// TestStopErrors: a client that outlives its grace, a damaged pid file
// and a cancelled context are errors that say so.
func TestStopErrors(t *testing.T) {
	stubborn := t.TempDir()
	trapped := filepath.Join(stubborn, "trapped")
	startRun(t, stubborn, "sh", "-c", `trap "" TERM; : > `+trapped+`; while :; do sleep 0.1; done`)
	await.True(t, 10*time.Second, "the shell to ignore SIGTERM", func() bool { _, err := os.Stat(trapped); return err == nil })
	damaged := t.TempDir()
	os.WriteFile(filepath.Join(damaged, pidFile), []byte("12 x\n"), 0o644)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		dir  string
		want string
	}{
		{"ignores SIGTERM", t.Context(), stubborn, "did not stop within 300ms of SIGTERM"},
		{"cancelled", cancelled, stubborn, "context canceled"},
		{"damaged pid file", t.Context(), damaged, `want "PID START", got "12 x\n"`},
		{"no directory", t.Context(), filepath.Join(damaged, "none"), "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Stop(tt.ctx, tt.dir, 300*time.Millisecond)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Stop: %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	if err := Run(dir, nil, log); err == nil || !strings.Contains(err.Error(), "no command") {
		t.Errorf("Run without a command: %v", err)
	}
	if err := Run(dir, []string{"no-such-client-here"}, log); err == nil || !strings.Contains(err.Error(), "executable file not found") {
		t.Errorf("Run of a missing command: %v", err)
	}
	if err := Run(filepath.Join(dir, "none"), []string{"true"}, log); err == nil || !strings.Contains(err.Error(), "record the client's process") {
		t.Errorf("Run without its directory: %v", err)
	}
}

func TestParseStat(t *testing.T) {
	tail := " 1 1 0 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12345 1000000 200"
	tests := []struct {
		in    string
		state byte
		start uint64
		err   string
	}{
		{"42 (geth) S" + tail, 'S', 12345, ""},
		{"42 (a) (b c) Z" + tail, 'Z', 12345, ""},
		{"42 geth S 1 2", 0, 0, "no command name"},
		{"42 (geth) S 1 2", 0, 0, "too few fields"},
		{"42 (geth) S" + strings.Replace(tail, "12345", "x", 1), 0, 0, "starttime"},
	}
	for _, tt := range tests {
		st, err := parseStat(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseStat(%q): %v, want an error with %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || st.state != tt.state || st.start != tt.start {
			t.Errorf("parseStat(%q) = %c %d, %v; want %c %d", tt.in, st.state, st.start, err, tt.state, tt.start)
		}
	}
}

// TestInstall copies the running binary, executable.
func TestInstall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ethfleet")
	if err := Install(path); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	want, _ := os.Stat(self)
	got, err := os.Stat(path)
	if err != nil || got.Size() != want.Size() || got.Mode().Perm() != 0o755 {
		t.Errorf("installed %v, %v; want %d bytes, mode 0755", got, err, want.Size())
	}
	if err := Install(filepath.Join(t.TempDir(), "none", "ethfleet")); err == nil {
		t.Error("Install into a missing directory succeeded")
	}
}
