package supervise

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests supervise this test binary itself: with helperEnv set, TestMain
// runs one of the helper behaviours below instead of the tests (the pattern
// os/exec's own tests use).
const (
	helperEnv  = "ETHFLEET_SUPERVISE_HELPER"
	helperFile = "ETHFLEET_SUPERVISE_HELPER_FILE"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode, os.Getenv(helperFile)))
	}
	os.Exit(m.Run())
}

// helper behaves as mode says, noting what happens in file one line at a
// time, and returns its exit code.
//
//	crash     notes its start time and exits 3 at once
//	trap      notes "ready", waits for SIGTERM, notes "term", exits 0
//	stubborn  notes "ready", notes "term" on SIGTERM and keeps running
func helper(mode, file string) int {
	note := func(line string) {
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		if _, err := fmt.Fprintln(f, line); err != nil {
			panic(err)
		}
	}
	switch mode {
	case "crash":
		note(fmt.Sprint(time.Now().UnixNano()))
		return 3
	case "trap", "stubborn":
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM)
		note("ready")
		<-sigs
		note("term")
		if mode == "trap" {
			return 0
		}
		time.Sleep(time.Hour) // until SIGKILL
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
	return 2
}

// helperSpec is a Spec that runs this binary as the helper in mode, noting
// into file.
func helperSpec(t *testing.T, mode, file string) Spec {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Spec{
		Name:   "helper-" + mode,
		Path:   exe,
		Env:    []string{helperEnv + "=" + mode, helperFile + "=" + file},
		Stdout: t.Output(),
		Stderr: t.Output(),
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// notes returns the lines the helper wrote so far.
func notes(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// noted reports whether the helper wrote line.
func noted(t *testing.T, file, line string) bool {
	for _, l := range notes(t, file) {
		if l == line {
			return true
		}
	}
	return false
}

// running is a Run in progress.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error // Run's result, once done is closed
}

// startRun runs sup in a goroutine until stop is called or the test ends.
func startRun(t *testing.T, sup *Supervisor) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	r := &running{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = sup.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// stop cancels Run's context and returns its result, failing the test if
// Run takes longer than within.
func (r *running) stop(t *testing.T, within time.Duration) error {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		return r.err
	case <-time.After(within):
		t.Fatalf("Run did not return within %s of the stop", within)
		return nil
	}
}
