package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/mining/powtest"
)

// TestMineCommand mines light-mode shares at a fake pool at a tiny share
// difficulty, over getWork from the config and over both stratum dialects
// from --pool, until it is stopped as Ctrl-C would.
func TestMineCommand(t *testing.T) {
	pool := powtest.StartPool(t, 4)
	file := filepath.Join(t.TempDir(), "ethfleet.yaml")
	cfg := "network:\n  name: devnet\nmining:\n  miner:\n    pool: " + pool.HTTPURL() + "\n    worker: from-config\n    threads: 1\n"
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	status := regexp.MustCompile(`hashrate [0-9.]+ H/s  shares [1-9][0-9]* accepted, 0 rejected`)
	for _, tc := range []struct {
		name, worker string
		flags        []string
	}{
		{"getWork from the config", "from-config", nil},
		{"EthereumStratum", "w2", []string{"--pool", "stratum+tcp://" + pool.StratumAddr(), "--worker", "w2", "--threads", "2"}},
		{"EthProxy", "w3", []string{"--pool", "stratum1+tcp://" + pool.StratumAddr(), "--worker", "w3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := &syncBuffer{}
			done := make(chan error, 1)
			go func() {
				cmd := newRootCmd()
				cmd.SetArgs(append([]string{"mine", "--config", file, "--light", "--status-every", "100ms"}, tc.flags...))
				cmd.SetOut(out)
				cmd.SetErr(out)
				done <- cmd.ExecuteContext(ctx)
			}()
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("output:\n%s", out)
				}
			})
			await.True(t, 3*time.Minute, "3 shares at the pool and a status line", func() bool {
				accepted, _ := pool.Shares(tc.worker)
				return accepted >= 3 && status.MatchString(out.String())
			})
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("mine: %v\n%s", err, out)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("mine did not stop")
			}
			if !strings.Contains(out.String(), "mining ethash at ") || !strings.Contains(out.String(), "stopping") {
				t.Errorf("output lacks the banner or the stop:\n%s", out)
			}
		})
	}
}

func TestMineCommandNeedsAPool(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ethfleet.yaml")
	if err := os.WriteFile(file, []byte("network:\n  name: devnet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t.Context(), "mine", "--config", file); err == nil || !strings.Contains(err.Error(), "no pool") {
		t.Errorf("mine without a pool: err = %v, want one saying there is no pool", err)
	}
}
