package agent

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/snapshot"
)

// stoppedChain returns the data directory of a devnet node that ran a few
// blocks and stopped cleanly.
func stoppedChain(t *testing.T) string {
	d := devnet.New(devnet.Config{DataDir: t.TempDir(), BlockTime: 100 * time.Millisecond, NoLogIndex: true})
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	await.True(t, 30*time.Second, "5 blocks", func() bool { return d.Producer().Head() >= 5 })
	dir := d.Producer().DataDir()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestAgentSnapshots: the snapshotter agent leaves rotation, stops its
// client with SIGTERM, snapshots its data directory and starts the client
// again; a new node's agent restores that snapshot into its empty data
// directory before its client first starts.
func TestAgentSnapshots(t *testing.T) {
	chain := stoppedChain(t)
	rpcNode := startDevnet(t, 200*time.Millisecond) // what the agent watches over RPC
	store := "file://" + t.TempDir()
	newAgent := func(dataDir string, every time.Duration) (*Service, string) {
		geth, _, termFile := fakeGeth(t)
		cfg := config.Default()
		cfg.Network.Name = "devnet"
		cfg.Nodes = []config.Node{{Name: "geth-1", RPC: config.NewSecret(rpcNode.HTTPURL()), DataDir: dataDir}}
		cfg.Agent.Node = "geth-1"
		cfg.Agent.PublicAddress = "203.0.113.7"
		cfg.Agent.Client = &config.AgentClient{Command: geth, StopTimeout: 10 * time.Second}
		cfg.Agent.Snapshots = &config.AgentSnapshots{Store: config.NewSecret(store), Every: every, Keep: 2, Drain: 50 * time.Millisecond}
		cfg.Ops.Listen = "127.0.0.1:0"
		s, err := NewService(ServiceOptions{Config: cfg, ProbeInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, termFile
	}

	snapshotter, termFile := newAgent(chain, 300*time.Millisecond)
	s, _ := snapshot.NewFileStore(strings.TrimPrefix(store, "file://"))
	var ms []*snapshot.Manifest
	await.True(t, 30*time.Second, "a snapshot in the store", func() bool {
		ms, _ = snapshot.List(context.Background(), s, "devnet", "geth")
		return len(ms) > 0
	})
	if b, _ := os.ReadFile(termFile); !strings.Contains(string(b), "term") {
		t.Error("the client was not stopped with SIGTERM before the snapshot")
	}
	await.True(t, 10*time.Second, "the client started again", func() bool {
		st := snapshotter.Status().(AgentStatus)
		return st.Supervised != nil && st.Supervised.Running
	})

	fresh := filepath.Join(t.TempDir(), "fresh")
	newAgent(fresh, 0)
	head, err := snapshot.GethHead(fresh)
	if err != nil || head.Number != ms[0].Head.Number {
		t.Errorf("the new node's data directory: head %+v, %v; want block %d", head, err, ms[0].Head.Number)
	}
}
