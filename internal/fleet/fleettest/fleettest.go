// Package fleettest starts real embedded fleets for tests: go-ethereum
// nodes, probes, gateway and ops server on kernel-chosen loopback ports,
// with their data in the test's temporary directory.
package fleettest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/fleet"
)

// Options adjust a test fleet; zero values get test-friendly defaults.
type Options struct {
	Followers int
	// BlockTime defaults to 500ms: under the race detector three nodes
	// importing faster blocks saturate two cores.
	BlockTime time.Duration
	DataDir   string // default t.TempDir()
	MaxLag    uint64 // default config.DefaultMaxLag
	// LogIndex keeps the nodes' log index on. Off by default: without it
	// eth_getLogs scans blocks (instantly, on a short chain), and a fleet
	// closes in a second instead of 30 under the race detector.
	LogIndex bool
	// Registry, if set, receives the fleet's metrics.
	Registry *prometheus.Registry
	// Configure, if set, changes the fleet description last.
	Configure func(*config.Config)
}

// Start starts a fleet, waits until every node is fit, and closes the
// fleet when the test ends.
func Start(t testing.TB, opts Options) *fleet.Fleet {
	t.Helper()
	f := New(t, opts)
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("close fleet: %v", err)
		}
	})
	AwaitFit(t, f, opts.Followers+1)
	return f
}

// New returns an unstarted fleet with opts.
func New(t testing.TB, opts Options) *fleet.Fleet {
	t.Helper()
	return NewWithGatewayListen(t, opts, "127.0.0.1:0")
}

// NewWithGatewayListen returns an unstarted fleet whose gateway listens on
// addr.
func NewWithGatewayListen(t testing.TB, opts Options, addr string) *fleet.Fleet {
	t.Helper()
	if opts.BlockTime == 0 {
		opts.BlockTime = 500 * time.Millisecond
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	cfg := config.Default()
	cfg.Devnet.Followers = &opts.Followers
	cfg.Devnet.BlockTime = opts.BlockTime
	txPerBlock := 2
	cfg.Devnet.TxPerBlock = &txPerBlock
	logIndex := opts.LogIndex
	cfg.Devnet.LogIndex = &logIndex
	cfg.Gateway.Listen = addr
	cfg.Ops.Listen = "127.0.0.1:0"
	if opts.MaxLag != 0 {
		cfg.Gateway.MaxLag = &opts.MaxLag
	}
	if opts.Configure != nil {
		opts.Configure(cfg)
	}
	return fleet.New(fleet.Options{
		Config:        cfg,
		Devnet:        true,
		DataDir:       opts.DataDir,
		ProbeInterval: 200 * time.Millisecond,
		Registry:      opts.Registry,
	})
}

// AwaitFit waits until at least n nodes are fit.
func AwaitFit(t testing.TB, f *fleet.Fleet, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for f.View().Fit < n {
		if time.Now().After(deadline) {
			v := f.View()
			var why []string
			for _, u := range v.Upstreams {
				why = append(why, fmt.Sprintf("%s head %d fit %v %s", u.Name, u.Head.Number, u.Fit, u.Reason))
			}
			t.Fatalf("timed out waiting for %d fit nodes; fleet head %d: %s", n, v.Head, strings.Join(why, "; "))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Get fetches url and returns the status and body.
func Get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
