package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// TestAutoscaleCommand runs `ethfleet autoscale` with local miners (sleep
// processes) against a pool that sees no hashrate: it starts minMiners at
// once, then scales up to maxMiners, and serves its decisions.
func TestAutoscaleCommand(t *testing.T) {
	pool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"window":"10m0s","workers":[],"total":{"hashrate":0,"low":0,"high":0,"shares":{"accepted":0,"stale":0,"invalid":0,"duplicate":0},"reported":0},"blocks":0}`))
	}))
	defer pool.Close()
	file := filepath.Join(t.TempDir(), "ethfleet.yaml")
	os.WriteFile(file, []byte(`network:
  name: mordor
ops:
  listen: 127.0.0.1:0
mining:
  pool:
    window: 1s
  autoscale:
    minHashrate: 100
    maxHashrate: 200
    minMiners: 1
    maxMiners: 2
    interval: 20ms
    scaleUpDelay: 10ms
    cooldown: 10ms
`), 0o600)
	r := start(t, "autoscale", "--config", file, "--pool", pool.URL+"/stats", "--miner-command", "sleep 3600", "--emf")
	await.True(t, 20*time.Second, "two miners", func() bool {
		_, body := fleettest.Get(t, r.ops+"/metrics")
		return strings.Contains(body, "ethfleet_mining_miners_running 2")
	})
	code, body := fleettest.Get(t, r.ops+"/decisions")
	for _, want := range []string{`"action": "up"`, `"to": 1`, `outside [minMiners 1, maxMiners 2]`, `"to": 2`, `"action": "none"`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/decisions = %d, lacks %s:\n%s", code, want, body)
		}
	}
	if code, _ := fleettest.Get(t, r.ops+"/ready"); code != 200 {
		t.Errorf("/ready = %d", code)
	}
	r.stop(t)
	if out := r.out.String(); !strings.Contains(out, `"MinersDesired":2`) {
		t.Errorf("no EMF line with 2 miners desired:\n%s", out)
	}
}

func TestAutoscaleCommandNeedsTheSection(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ethfleet.yaml")
	os.WriteFile(file, []byte("network:\n  name: mordor\n"), 0o600)
	if _, err := run(t.Context(), "autoscale", "--config", file); err == nil || !strings.Contains(err.Error(), "mining.autoscale is not set") {
		t.Fatalf("err = %v", err)
	}
}

func TestDialable(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8008": "127.0.0.1:8008",
		"0.0.0.0:8008":   "127.0.0.1:8008",
		":8008":          "127.0.0.1:8008",
		"[::]:8008":      "127.0.0.1:8008",
		"pool:8008":      "pool:8008",
	} {
		if got := dialable(in); got != want {
			t.Errorf("dialable(%q) = %q, want %q", in, got, want)
		}
	}
}
