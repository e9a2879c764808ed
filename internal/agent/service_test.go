package agent

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/devnet"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestService runs the agent next to a devnet follower, with the rest of
// the devnet as its fleet and an independent devnet as a reference held
// at genesis: the node is ready, and when it stops, /healthz and /ready
// say so.
func TestService(t *testing.T) {
	d := devnet.New(devnet.Config{DataDir: t.TempDir(), Followers: 1, BlockTime: 300 * time.Millisecond, NoLogIndex: true})
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ref := startDevnet(t, time.Hour)
	cfg := config.Default()
	for _, n := range d.Nodes() {
		cfg.Nodes = append(cfg.Nodes, config.Node{Name: n.Name(), RPC: config.NewSecret(n.HTTPURL()), WS: config.NewSecret(n.WSURL()), DataDir: n.DataDir()})
	}
	cfg.References = []config.Reference{{Name: "behind", RPC: config.NewSecret(ref.HTTPURL())}}
	cfg.Agent.Node = "follower-1"
	cfg.Agent.MinPeers = 1
	cfg.Ops.Listen = "127.0.0.1:0"
	s := startService(t, ServiceOptions{Config: cfg, ProbeInterval: 200 * time.Millisecond})

	await.True(t, 30*time.Second, "the follower ready", func() bool {
		code, _ := get(t, s.OpsURL()+"/ready")
		return code == 200
	})
	if code, body := get(t, s.OpsURL()+"/healthz"); code != 200 || !strings.Contains(body, "Geth") {
		t.Errorf("/healthz = %d %s", code, body)
	}
	_, body := get(t, s.OpsURL()+"/metrics")
	for _, want := range []string{`ethfleet_node_ready{node="follower-1"} 1`, `ethfleet_node_lag_blocks{node="follower-1",reference="behind"} -`, `ethfleet_reference_up{reference="behind"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if err := d.StopNode("follower-1"); err != nil {
		t.Fatal(err)
	}
	await.True(t, 30*time.Second, "/ready and /healthz to fail", func() bool {
		code, body := get(t, s.OpsURL()+"/ready")
		hcode, _ := get(t, s.OpsURL()+"/healthz")
		return code == 503 && strings.Contains(body, "execution client unreachable") && hcode == 503
	})
}

func TestServiceNeedsANode(t *testing.T) {
	if _, err := NewService(ServiceOptions{Config: config.Default()}); err == nil || !strings.Contains(err.Error(), "agent.node") {
		t.Errorf("NewService without agent.node: %v", err)
	}
}

// startService starts an agent, closed when the test ends.
func startService(t *testing.T, opts ServiceOptions) *Service {
	t.Helper()
	s, err := NewService(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
