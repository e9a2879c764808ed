package probe

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// fakeNode is a node's state served by go-ethereum's real JSON-RPC server.
type fakeNode struct {
	mu        sync.Mutex
	head      uint64
	finalized uint64
	syncing   any
	peers     uint64
	calls     int
}

type ethAPI struct{ n *fakeNode }

func (a ethAPI) ChainId() hexutil.Uint64 { return 1337 }
func (a ethAPI) Syncing() any {
	a.n.mu.Lock()
	defer a.n.mu.Unlock()
	a.n.calls++
	return a.n.syncing
}
func (a ethAPI) GetBlockByNumber(tag string, full bool) (map[string]any, error) {
	a.n.mu.Lock()
	defer a.n.mu.Unlock()
	if tag == "finalized" {
		if a.n.finalized == 0 {
			return nil, errors.New("finalized block not found")
		}
		return map[string]any{"number": hexutil.Uint64(a.n.finalized), "hash": common.Hash{1}, "timestamp": hexutil.Uint64(1)}, nil
	}
	return map[string]any{
		"number":    hexutil.Uint64(a.n.head),
		"hash":      common.BigToHash(new(big.Int).SetUint64(a.n.head + 1000)),
		"timestamp": hexutil.Uint64(1_700_000_000 + a.n.head),
	}, nil
}

type netAPI struct{ n *fakeNode }

func (a netAPI) PeerCount() hexutil.Uint64 {
	a.n.mu.Lock()
	defer a.n.mu.Unlock()
	return hexutil.Uint64(a.n.peers)
}

type web3API struct{}

func (web3API) ClientVersion() string { return "Fake/v1" }

func serveFake(t *testing.T, n *fakeNode) *httptest.Server {
	t.Helper()
	srv := rpc.NewServer()
	for name, api := range map[string]any{"eth": ethAPI{n}, "net": netAPI{n}, "web3": web3API{}} {
		if err := srv.RegisterName(name, api); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Stop() })
	return hs
}

func runProbe(t *testing.T, cfg Config) *Probe {
	t.Helper()
	p := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return p
}

// await waits for the probe's status to satisfy cond, watching for changes
// rather than sleeping.
func await(t *testing.T, p *Probe, what string, cond func(Status) bool) Status {
	t.Helper()
	changed, stop := p.Watch()
	defer stop()
	timeout := time.After(20 * time.Second)
	for {
		if s := p.Status(); cond(s) {
			return s
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("timed out waiting for %s; status %+v", what, p.Status())
		}
	}
}

func TestPolledStatus(t *testing.T) {
	n := &fakeNode{head: 7, syncing: false, peers: 3}
	hs := serveFake(t, n)
	p := runProbe(t, Config{Name: "fake", RPC: hs.URL, Interval: 20 * time.Millisecond})

	s := await(t, p, "first poll", func(s Status) bool { return s.Up && s.Head.Number == 7 })
	if s.Peers != 3 || s.Syncing || s.ChainID != 1337 || s.ClientVersion != "Fake/v1" || s.Pushed {
		t.Errorf("status = %+v", s)
	}
	if s.Head.Time.Unix() != 1_700_000_007 || s.HeadSeen.IsZero() || s.Latency <= 0 {
		t.Errorf("head/latency not recorded: %+v", s)
	}

	n.mu.Lock()
	n.head, n.syncing = 9, map[string]any{"currentBlock": "0x9", "highestBlock": "0x20"}
	n.mu.Unlock()
	s = await(t, p, "syncing", func(s Status) bool { return s.Syncing })
	if s.SyncTarget != 0x20 {
		t.Errorf("sync target = %d, want 32", s.SyncTarget)
	}
	await(t, p, "new head", func(s Status) bool { return s.Head.Number == 9 })
	if s := p.Status(); s.Finalized != 0 || !s.Up {
		t.Errorf("a chain without finality: finalized %d, up %v", s.Finalized, s.Up)
	}
	n.mu.Lock()
	n.finalized = 4
	n.mu.Unlock()
	await(t, p, "finalized", func(s Status) bool { return s.Finalized == 4 })

	hs.CloseClientConnections()
	hs.Close()
	s = await(t, p, "down", func(s Status) bool { return !s.Up })
	if s.Err == "" {
		t.Error("down without a reason")
	}
}

func TestParseSyncing(t *testing.T) {
	tests := []struct {
		raw     string
		syncing bool
		target  uint64
		wantErr bool
	}{
		{`false`, false, 0, false},
		{`true`, true, 0, false},
		{`{"currentBlock":"0x1","highestBlock":"0xff"}`, true, 255, false},
		{`"nope"`, false, 0, true},
		{`{"highestBlock":12}`, false, 0, true},
	}
	for _, tt := range tests {
		syncing, target, err := parseSyncing(json.RawMessage(tt.raw))
		if (err != nil) != tt.wantErr || syncing != tt.syncing || target != tt.target {
			t.Errorf("parseSyncing(%s) = %v, %d, %v", tt.raw, syncing, target, err)
		}
	}
}

// TestRedactedErrors: a node's URL that carries a key never shows in the
// status's error.
func TestRedactedErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	url := "http://" + ln.Addr().String() + "/v3/s3cr3tk3y"
	p := runProbe(t, Config{Name: "infura", RPC: url, Interval: time.Hour,
		Redact: func(s string) string { return strings.ReplaceAll(s, url, "http://…/v3/${KEY}") }})
	s := await(t, p, "the connection refused", func(s Status) bool { return strings.Contains(s.Err, "refused") })
	if strings.Contains(s.Err, "s3cr3t") || !strings.Contains(s.Err, "${KEY}") {
		t.Errorf("error: %s", s.Err)
	}
}
