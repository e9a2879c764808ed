package agent

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/probe"
)

// startDevnet starts an independent one-node devnet; a block time of an
// hour keeps it at genesis.
func startDevnet(t *testing.T, blockTime time.Duration) *devnet.Node {
	t.Helper()
	d := devnet.New(devnet.Config{DataDir: t.TempDir(), BlockTime: blockTime, NoLogIndex: true})
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d.Producer()
}

// runProbe polls url until the test ends.
func runProbe(t *testing.T, name, url string) *probe.Probe {
	t.Helper()
	p := probe.New(probe.Config{Name: name, RPC: url, Interval: 100 * time.Millisecond, Timeout: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return p
}

// garbageURL answers every request with something that is not JSON-RPC.
func garbageURL(t *testing.T) string {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`<html>Service Temporarily Unavailable</html>`))
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// hangingURL accepts connections and never answers.
func hangingURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// deadURL is a loopback address where nothing listens.
func deadURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	return "http://" + ln.Addr().String()
}

// TestLagAgainstReferences measures nodes against references that are
// independent devnet nodes: one moving (200 ms blocks) and two held at
// genesis. Lag is the reference's head minus the node's.
func TestLagAgainstReferences(t *testing.T) {
	moving := runProbe(t, "moving", startDevnet(t, 200*time.Millisecond).HTTPURL())
	still := runProbe(t, "still", startDevnet(t, time.Hour).HTTPURL())
	stillToo := runProbe(t, "still-too", startDevnet(t, time.Hour).HTTPURL())
	await.True(t, 30*time.Second, "the moving devnet past block 5", func() bool { return moving.Status().Head.Number > 5 })

	rules := Rules{MaxLag: 2, MaxHeadAge: time.Minute}
	// A node at genesis is not ready anyway (its head is from 1970); what
	// matters here is whether the reference holds it back.
	tests := []struct {
		name   string
		node   *probe.Probe
		ref    *probe.Probe
		check  func(Lag) bool
		behind bool
	}{
		{"reference ahead", still, moving, func(l Lag) bool { return l.Reachable && l.Blocks > 5 && l.Seconds > 0 }, true},
		{"reference equal", still, stillToo, func(l Lag) bool { return l.Reachable && l.Blocks == 0 }, false},
		{"reference behind", moving, still, func(l Lag) bool { return l.Reachable && l.Blocks < -5 && l.Seconds < 0 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Config{Nodes: []Node{{Source: tt.node}}, References: []StatusSource{tt.ref}, Rules: rules})
			var r Report
			await.True(t, 10*time.Second, "the lag measured", func() bool {
				m.judge()
				r = m.Reports()[0]
				return len(r.Lags) == 1 && tt.check(r.Lags[0])
			})
			behind := slices.ContainsFunc(r.Reasons, func(s string) bool { return strings.Contains(s, "behind reference "+tt.ref.Name()) })
			if behind != tt.behind {
				t.Errorf("reasons %q; want behind the reference: %v", r.Reasons, tt.behind)
			}
			if s := m.History(0)[tt.node.Name()][tt.ref.Name()]; len(s) == 0 {
				t.Error("no lag history")
			}
		})
	}
}

// TestBadReferences: a reference that is down, answers garbage or hangs is
// reported unreachable within its probe's timeout, and the node stays
// ready.
func TestBadReferences(t *testing.T) {
	node := runProbe(t, "node", startDevnet(t, 200*time.Millisecond).HTTPURL())
	refs := []StatusSource{
		runProbe(t, "down", deadURL(t)),
		runProbe(t, "garbage", garbageURL(t)),
		runProbe(t, "hanging", hangingURL(t)),
	}
	m := New(Config{Nodes: []Node{{Source: node}}, References: refs, Rules: Rules{MaxLag: 2, MaxHeadAge: time.Minute}})
	start := time.Now()
	var r Report
	await.True(t, 10*time.Second, "the node ready, every reference unreachable", func() bool {
		m.judge()
		r = m.Reports()[0]
		if !r.Ready || len(r.Lags) != 3 {
			return false
		}
		for _, l := range r.Lags {
			if l.Reachable || l.Err == "" || l.Err == "not probed yet" {
				return false
			}
		}
		return true
	})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s", took)
	}
	for _, l := range r.Lags {
		t.Logf("%s: %s", l.Reference, l.Err)
		if strings.Contains(l.Err, "not probed") {
			t.Errorf("%s: %s", l.Reference, l.Err)
		}
	}
}
