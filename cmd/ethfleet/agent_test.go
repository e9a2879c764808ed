package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// TestAgentCommand watches a devnet follower through `ethfleet agent
// --config` until it reports ready.
func TestAgentCommand(t *testing.T) {
	_, nodes := startDevnet(t)
	file := filepath.Join(t.TempDir(), "ethfleet.yaml")
	os.WriteFile(file, []byte("ops:\n  listen: 127.0.0.1:0\nagent:\n  node: follower-1\n  minPeers: 1\nnodes:\n"+nodes), 0o600)
	r := start(t, "agent", "--config", file)
	await.True(t, 30*time.Second, "the follower ready", func() bool {
		code, body := fleettest.Get(t, r.ops+"/ready")
		return code == 200 && strings.Contains(body, "ready: head")
	})
	if code, body := fleettest.Get(t, r.ops+"/metrics"); code != 200 || !strings.Contains(body, `ethfleet_node_datadir_free_bytes{node="follower-1"}`) {
		t.Errorf("/metrics = %d, lacks the data dir's free space", code)
	}
}

func TestAgentCommandNeedsANode(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ethfleet.yaml")
	os.WriteFile(file, []byte("nodes:\n  - name: geth-1\n    rpc: http://127.0.0.1:8545\n"), 0o600)
	if _, err := run(t.Context(), "agent", "--config", file); err == nil || !strings.Contains(err.Error(), "agent.node must name the node") {
		t.Fatalf("err = %v", err)
	}
}
