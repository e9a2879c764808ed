package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
)

// syncBuffer is an io.Writer the command writes to while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// run executes ethfleet with args in-process.
func run(ctx context.Context, args ...string) (string, error) {
	var out syncBuffer
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

func TestVersion(t *testing.T) {
	out, err := run(context.Background(), "version")
	if err != nil || !strings.HasPrefix(out, "ethfleet ") {
		t.Fatalf("version = %q, %v", out, err)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("network:\n  name: devnet\nnodes:\n  - rpc: http://127.0.0.1:8545\n"), 0o600)
	os.WriteFile(bad, []byte("gateway:\n  maxlag: 2\n  maxBatch: 0\n"), 0o600)

	tests := []struct {
		file    string
		wantErr string
		wantOut string
	}{
		{good, "", "good.yaml: ok (network devnet, 1 nodes, 0 references)"},
		{bad, `bad.yaml:2: gateway.maxlag: unknown key (did you mean "maxLag"?)`, ""},
		{filepath.Join(dir, "missing.yaml"), "no such file or directory", ""},
	}
	for _, tt := range tests {
		out, err := run(context.Background(), "config", "check", tt.file)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("check %s: %v", tt.file, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("check %s: error %v, want %q", tt.file, err, tt.wantErr)
		case !strings.Contains(out, tt.wantOut):
			t.Errorf("check %s: output %q, want %q", tt.file, out, tt.wantOut)
		}
	}
}

// TestUpRestart runs `ethfleet up`, stops it, and runs it again on the same
// data directory: the chain resumes at or above the head it had.
func TestUpRestart(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "ethfleet.yaml")
	os.WriteFile(cfgFile, []byte(`
devnet:
  logIndex: false
gateway:
  listen: 127.0.0.1:0
ops:
  listen: 127.0.0.1:0
`), 0o600)
	args := []string{"up", "--config", cfgFile, "--data-dir", filepath.Join(dir, "data"),
		"--followers", "1", "--block-time", "500ms", "--status-every", "200ms"}

	first := upUntil(t, args, func(url string) bool { return blockNumber(t, url) >= 5 })
	second := upUntil(t, args, func(url string) bool { return blockNumber(t, url) > 0 })
	// The first answer after the restart may come from the follower, which
	// the gateway serves from while it trails by at most maxLag blocks; a
	// chain that started over would answer 1 or 2.
	if second+config.DefaultMaxLag < first {
		t.Fatalf("head after restart %d < head before %d (less the gateway's allowed lag of %d)", second, first, config.DefaultMaxLag)
	}
}

var (
	rpcURL = regexp.MustCompile(`JSON-RPC\s+(http://\S+)`)
	opsURL = regexp.MustCompile(`status\s+(http://\S+)/status`)
)

// running is an ethfleet command running in-process.
type running struct {
	out       *syncBuffer
	rpc, ops  string
	cancel    func()
	done      chan error
	completed bool
}

// start runs ethfleet with args until stop, and waits for it to print its
// URLs.
func start(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{out: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		cmd := newRootCmd()
		cmd.SetArgs(args)
		cmd.SetOut(r.out)
		cmd.SetErr(r.out)
		r.done <- cmd.ExecuteContext(ctx)
	}()
	t.Cleanup(func() { r.stop(t) })
	await.True(t, 60*time.Second, "the command to print its URLs", func() bool {
		select {
		case err := <-r.done:
			t.Fatalf("%v ended early: %v\n%s", args, err, r.out.String())
		default:
		}
		if m := opsURL.FindStringSubmatch(r.out.String()); m != nil {
			r.ops = m[1]
			if m := rpcURL.FindStringSubmatch(r.out.String()); m != nil {
				r.rpc = m[1] // the agent serves none
			}
		}
		return r.ops != ""
	})
	return r
}

// stop stops the command as Ctrl-C would and checks it ended cleanly.
func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.completed {
		return
	}
	r.completed = true
	r.cancel()
	if err := <-r.done; err != nil {
		t.Fatalf("command failed: %v\n%s", err, r.out.String())
	}
	if !strings.Contains(r.out.String(), "stopping") {
		t.Errorf("command did not report stopping:\n%s", r.out.String())
	}
}

// upUntil runs up until cond holds for its JSON-RPC URL, stops it, and
// returns the last head it served.
func upUntil(t *testing.T, args []string, cond func(url string) bool) uint64 {
	t.Helper()
	r := start(t, args...)
	// The banner waits for a fit node: its URL answers at once.
	resp, err := http.Post(r.rpc, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"result"`) {
		t.Errorf("the first call after the banner: %s", body)
	}
	await.True(t, 60*time.Second, "the condition", func() bool { return cond(r.rpc) })
	await.True(t, 60*time.Second, "a status line", func() bool { return strings.Contains(r.out.String(), "2/2 fit") })
	head := blockNumber(t, r.rpc)
	r.stop(t)
	return head
}

func blockNumber(t *testing.T, url string) uint64 {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct{ Result string }
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	var n uint64
	fmt.Sscanf(a.Result, "0x%x", &n)
	return n
}
