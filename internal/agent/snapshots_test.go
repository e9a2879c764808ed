package agent

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/prometheus/client_golang/prometheus/testutil"
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
		return startService(t, ServiceOptions{Config: cfg, ProbeInterval: 100 * time.Millisecond}), termFile
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

// dockerAPI is a Docker Engine API on a Unix socket that records the
// containers it is asked to stop and start, and says they exited with
// exitCode when inspected.
type dockerAPI struct {
	mu       sync.Mutex
	calls    []string
	exitCode int
}

func (d *dockerAPI) serve(t *testing.T) string {
	socket := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.calls = append(d.calls, r.Method+" "+r.URL.RequestURI())
		d.mu.Unlock()
		if strings.Contains(r.URL.Path, "/missing/") {
			http.Error(w, `{"message":"No such container: missing"}`, http.StatusNotFound)
			return
		}
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/json") {
			fmt.Fprintf(w, `{"Id":"0123","State":{"Status":"exited","Running":false,"OOMKilled":false,"ExitCode":%d}}`, d.exitCode)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return socket
}

func (d *dockerAPI) Calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.calls)
}

// TestAgentSnapshotsContainers: where the clients run in containers beside
// the agent, the snapshotter stops them through the Docker API, consensus
// first, snapshots, and starts them again, execution first.
func TestAgentSnapshotsContainers(t *testing.T) {
	tests := []struct {
		client     string
		containers []string
		want       []string
	}{
		{"geth", []string{"a-consensus", "a-execution"}, []string{
			"POST /containers/a-consensus/stop?t=300", "POST /containers/a-execution/stop?t=300",
			"POST /containers/a-execution/start", "POST /containers/a-consensus/start",
		}},
		{"reth", []string{"a-execution"}, []string{"POST /containers/a-execution/stop?t=300", "POST /containers/a-execution/start"}},
	}
	chain := stoppedChain(t)
	rpcNode := startDevnet(t, 200*time.Millisecond)
	for _, tt := range tests {
		t.Run(tt.client, func(t *testing.T) {
			var docker dockerAPI
			m := snapshotter(t, rpcNode.HTTPURL(), chain, &config.AgentSnapshots{
				Every: 200 * time.Millisecond, Containers: tt.containers, Docker: docker.serve(t), Client: tt.client,
			})
			await.True(t, 10*time.Second, "the containers started again", func() bool { return len(posts(docker.Calls())) >= len(tt.want) })
			if got := posts(docker.Calls())[:len(tt.want)]; !slices.Equal(got, tt.want) {
				t.Errorf("Docker API calls\n  %q\nwant\n  %q", got, tt.want)
			}
			if m.Head.Number == 0 || m.Head.Hash == "" {
				t.Errorf("snapshot head %+v, want the node's", m.Head)
			}
		})
	}
}

// posts are the POST calls of calls.
func posts(calls []string) []string {
	return slices.DeleteFunc(calls, func(c string) bool { return !strings.HasPrefix(c, "POST ") })
}

// TestAgentSnapshotKilledClient: a client that had to be killed to stop
// (a container Docker killed, a supervised client SIGKILLed after its stop
// timeout) did not flush its data: no snapshot is taken of it, and the
// client is started again.
func TestAgentSnapshotKilledClient(t *testing.T) {
	chain := stoppedChain(t)
	rpcNode := startDevnet(t, 200*time.Millisecond)
	newAgent := func(t *testing.T, sn *config.AgentSnapshots, client *config.AgentClient) (*Service, string) {
		store := t.TempDir()
		sn.Store, sn.Keep, sn.Drain, sn.Every = config.NewSecret("file://"+store), 2, 10*time.Millisecond, 200*time.Millisecond
		cfg := config.Default()
		cfg.Network.Name = "devnet"
		cfg.Nodes = []config.Node{{Name: "a", RPC: config.NewSecret(rpcNode.HTTPURL()), DataDir: chain}}
		cfg.Agent.Node, cfg.Agent.Snapshots, cfg.Agent.Client = "a", sn, client
		cfg.Agent.PublicAddress = "203.0.113.7"
		cfg.Ops.Listen = "127.0.0.1:0"
		if err := cfg.Validate("test"); err != nil {
			t.Fatal(err)
		}
		return startService(t, ServiceOptions{Config: cfg, ProbeInterval: 100 * time.Millisecond}), store
	}
	noSnapshot := func(t *testing.T, store string) {
		t.Helper()
		fs, _ := snapshot.NewFileStore(store)
		if ms, err := snapshot.List(context.Background(), fs, "", ""); err != nil || len(ms) != 0 {
			t.Errorf("%d snapshots of a killed client, %v", len(ms), err)
		}
	}
	t.Run("container", func(t *testing.T) {
		docker := dockerAPI{exitCode: 137}
		agent, store := newAgent(t, &config.AgentSnapshots{Containers: []string{"a-execution"}, Docker: docker.serve(t), Client: "geth"}, nil)
		want := []string{"POST /containers/a-execution/stop?t=300", "GET /containers/a-execution/json", "POST /containers/a-execution/start"}
		await.True(t, 10*time.Second, "the container started again", func() bool { return len(docker.Calls()) >= len(want) })
		if got := docker.Calls()[:len(want)]; !slices.Equal(got, want) {
			t.Errorf("Docker API calls\n  %q\nwant\n  %q", got, want)
		}
		if n := testutil.ToFloat64(agent.snapshotRuns.WithLabelValues("failed")); n == 0 {
			t.Error("the snapshot is not counted as failed")
		}
		noSnapshot(t, store)
	})
	t.Run("supervised", func(t *testing.T) {
		stubborn := filepath.Join(t.TempDir(), "geth")
		os.WriteFile(stubborn, []byte("#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.05; done\n"), 0o755)
		agent, store := newAgent(t, &config.AgentSnapshots{}, &config.AgentClient{Command: stubborn, StopTimeout: 100 * time.Millisecond})
		await.True(t, 20*time.Second, "a failed snapshot", func() bool {
			return testutil.ToFloat64(agent.snapshotRuns.WithLabelValues("failed")) > 0
		})
		await.True(t, 10*time.Second, "the client started again", func() bool {
			st := agent.Status().(AgentStatus)
			return st.Supervised != nil && st.Supervised.Running
		})
		noSnapshot(t, store)
	})
}

// snapshotter starts the agent of node "a", whose data directory is chain
// and whose RPC is rpcURL, with the snapshots sn into a new file store, and
// returns the first snapshot it takes.
func snapshotter(t *testing.T, rpcURL, chain string, sn *config.AgentSnapshots) *snapshot.Manifest {
	t.Helper()
	store := t.TempDir()
	sn.Store, sn.Keep, sn.Drain = config.NewSecret("file://"+store), 2, 10*time.Millisecond
	cfg := config.Default()
	cfg.Network.Name = "devnet"
	cfg.Nodes = []config.Node{{Name: "a", RPC: config.NewSecret(rpcURL), DataDir: chain}}
	cfg.Agent.Node = "a"
	cfg.Agent.Snapshots = sn
	cfg.Ops.Listen = "127.0.0.1:0"
	if err := cfg.Validate("test"); err != nil {
		t.Fatal(err)
	}
	startService(t, ServiceOptions{Config: cfg, ProbeInterval: 100 * time.Millisecond})
	fs, _ := snapshot.NewFileStore(store)
	var ms []*snapshot.Manifest
	await.True(t, 30*time.Second, "a snapshot in the store", func() bool {
		ms, _ = snapshot.List(context.Background(), fs, "devnet", sn.Client)
		return len(ms) > 0
	})
	return ms[0]
}

// TestContainersErrors: Docker's refusal is reported with its message.
func TestContainersErrors(t *testing.T) {
	var docker dockerAPI
	c := newContainers(docker.serve(t), []string{"missing"}, time.Second)
	if err := c.stop(t.Context()); err == nil || !strings.Contains(err.Error(), "No such container: missing") {
		t.Errorf("stop of a missing container: %v", err)
	}
	c = newContainers(filepath.Join(t.TempDir(), "none.sock"), []string{"x"}, time.Second)
	if err := c.start(t.Context()); err == nil || !strings.Contains(err.Error(), "docker: start x") {
		t.Errorf("no Docker: %v", err)
	}
}

// kubelet runs `ethfleet hold run -- command` in dir, and runs it again
// whenever it exits, as the kubelet restarts a container, until the test
// ends.
func kubelet(t *testing.T, dir, command string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			cmd := exec.CommandContext(ctx, os.Args[0], command)
			cmd.Env = append(os.Environ(), "ETHFLEET_TEST_HOLD_DIR="+dir)
			cmd.Run()
			select { // the kubelet's back-off, shortened
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// TestAgentSnapshotsHeld: on Kubernetes the snapshotter's execution client
// runs in another container of the agent's pod, started by `ethfleet hold
// run`. The agent stops it with SIGTERM and holds it back while the
// kubelet restarts its container, snapshots, and lets it start again.
func TestAgentSnapshotsHeld(t *testing.T) {
	chain := stoppedChain(t)
	rpcNode := startDevnet(t, 200*time.Millisecond)
	dir := t.TempDir()
	events := filepath.Join(dir, "events")
	client := filepath.Join(dir, "client")
	script := fmt.Sprintf("#!/bin/sh\necho start >> %s\ntrap 'echo term >> %s; exit 0' TERM\nwhile :; do sleep 0.05 & wait; done\n", events, events)
	if err := os.WriteFile(client, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	holdDir := filepath.Join(dir, "hold")
	os.Mkdir(holdDir, 0o755)
	os.WriteFile(filepath.Join(holdDir, "held"), nil, 0o644) // left by an agent that stopped mid-snapshot
	kubelet(t, holdDir, client)

	m := snapshotter(t, rpcNode.HTTPURL(), chain, &config.AgentSnapshots{Every: 500 * time.Millisecond, Hold: holdDir, Client: "geth"})
	want := "start\nterm\nstart\n"
	await.True(t, 10*time.Second, "the client started again", func() bool {
		b, _ := os.ReadFile(events)
		return len(b) >= len(want)
	})
	if b, _ := os.ReadFile(events); !strings.HasPrefix(string(b), want) {
		t.Errorf("the client's life: %q, want it to start, stop with SIGTERM and start again", b)
	}
	if m.Head.Number == 0 {
		t.Errorf("snapshot head %+v, want the node's", m.Head)
	}
}
