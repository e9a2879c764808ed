package local

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/mining/autoscale/providertest"
)

// With helperEnv set, this test binary is a pretend miner (the os/exec
// tests' pattern): it notes "start INDEX PID ARGS" in the file helperEnv
// names, waits for SIGTERM, notes "stop INDEX PID" and exits.
const helperEnv = "ETHFLEET_AUTOSCALE_LOCAL_HELPER"

func TestMain(m *testing.M) {
	if file := os.Getenv(helperEnv); file != "" {
		pretendMiner(file)
		return
	}
	os.Exit(m.Run())
}

func pretendMiner(file string) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	note := func(format string, a ...any) {
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		fmt.Fprintf(f, format+"\n", a...)
	}
	index := os.Getenv("ETHFLEET_MINER_INDEX")
	note("start %s %d %s", index, os.Getpid(), strings.Join(os.Args[1:], " "))
	<-sigs
	note("stop %s %d", index, os.Getpid())
}

func newProvider(t *testing.T, args ...string) (*Provider, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "notes")
	p, err := New(Options{
		Command:    append([]string{exe}, args...),
		Env:        []string{helperEnv + "=" + file},
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 10 * time.Millisecond,
		Stdout: t.Output(), Stderr: t.Output(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, file
}

// notes returns the helper's notes, one per line.
func notes(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// await polls cond until it holds, failing the test after 10s.
func await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
	}
}

func TestConformance(t *testing.T) {
	p, _ := newProvider(t)
	providertest.Run(t, p)
}

func TestMinersAreNumberedRestartedAndStopped(t *testing.T) {
	p, file := newProvider(t, "mine", "--worker", "w{index}")
	if err := p.SetDesired(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	running := func(n int) func() bool {
		return func() bool {
			d, r, err := p.Current(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			return d == 2 && r == n
		}
	}
	started := func() []string {
		var s []string
		for _, l := range notes(t, file) {
			if strings.HasPrefix(l, "start ") {
				s = append(s, l)
			}
		}
		return s
	}
	await(t, "2 miners", func() bool { return running(2)() && len(started()) == 2 })
	var pid1 int
	for _, l := range started() {
		var index, pid int
		var args string
		fmt.Sscanf(l, "start %d %d", &index, &pid)
		args = strings.SplitN(l, " ", 4)[3]
		if want := fmt.Sprintf("mine --worker w%d", index); args != want {
			t.Errorf("miner %d args %q, want %q", index, args, want)
		}
		if index == 1 {
			pid1 = pid
		}
	}

	// Miner 1 dies: it is started again.
	if err := syscall.Kill(pid1, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	await(t, "miner 1 restarted", func() bool { return len(started()) == 3 && running(2)() })

	// Down to none: both get SIGTERM and have exited when SetDesired returns.
	if err := p.SetDesired(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	stops := 0
	for _, l := range notes(t, file) {
		if strings.HasPrefix(l, "stop ") {
			stops++
		}
	}
	if stops != 2 {
		t.Errorf("%d stops noted, want 2:\n%s", stops, strings.Join(notes(t, file), "\n"))
	}
}

func TestAMinerThatCannotStartIsReported(t *testing.T) {
	p, err := New(Options{Command: []string{filepath.Join(t.TempDir(), "no-such-miner")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetDesired(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	var cerr error
	await(t, "the start error", func() bool {
		_, _, cerr = p.Current(t.Context())
		return cerr != nil
	})
	if !strings.Contains(cerr.Error(), "no-such-miner") {
		t.Errorf("error %q does not name the command", cerr)
	}
	if d, _, err := p.Current(t.Context()); err != nil || d != 0 {
		t.Errorf("after the error: desired %d, %v; want 0 and no error", d, err)
	}
}
