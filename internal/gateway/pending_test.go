package gateway

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ethfleet/ethfleet/internal/await"
)

// poolNode announces its pool's transactions to every subscriber, whole
// or as hashes, and counts the subscriptions open on it.
type poolNode struct {
	txs  []common.Hash
	open *atomic.Int64
}

func (n poolNode) NewPendingTransactions(ctx context.Context, full *bool) (*rpc.Subscription, error) {
	notifier, _ := rpc.NotifierFromContext(ctx)
	sub := notifier.CreateSubscription()
	n.open.Add(1)
	go func() {
		defer n.open.Add(-1)
		for _, h := range n.txs {
			if full != nil && *full {
				notifier.Notify(sub.ID, map[string]any{"hash": h, "nonce": "0x1"})
			} else {
				notifier.Notify(sub.ID, h)
			}
		}
		<-sub.Err()
	}()
	return sub, nil
}

// servePool serves a poolNode over WebSocket and returns it as an
// upstream, fit or not.
func servePool(t *testing.T, name string, fit bool, txs ...common.Hash) (*Upstream, *atomic.Int64) {
	t.Helper()
	open := new(atomic.Int64)
	srv := rpc.NewServer()
	if err := srv.RegisterName("eth", poolNode{txs: txs, open: open}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.WebsocketHandler([]string{"*"}))
	t.Cleanup(func() { hs.Close(); srv.Stop() })
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	return upstream(t, name, url, fit).WithWebSocket(url), open
}

// TestPendingTransactions subscribes to pending transactions through the
// gateway while two fit nodes announce overlapping pools and an unfit one
// announces its own: each transaction of a fit node arrives once, and the
// gateway holds subscriptions on the nodes only while a client listens.
func TestPendingTransactions(t *testing.T) {
	h := func(i byte) common.Hash { return common.Hash{31: i} }
	a, openA := servePool(t, "a", true, h(1), h(2), h(3))
	b, openB := servePool(t, "b", true, h(2), h(3), h(4))
	c, openC := servePool(t, "unfit", false, h(5))
	r := newTestRouter(t, []*Upstream{a, b, c})
	s, err := NewServer(Config{MaxBatch: 10, MaxBodyBytes: 4096, RequestTimeout: 5 * time.Second}, r, nil, newRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	hs := httptest.NewServer(s)
	defer hs.Close()
	client, err := rpc.Dial("ws" + strings.TrimPrefix(hs.URL, "http"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	if openA.Load()+openB.Load()+openC.Load() != 0 {
		t.Fatal("the gateway follows pools nobody listens to")
	}
	for _, full := range []bool{false, true} {
		got := make(chan map[string]any, 16)
		hashes := make(chan common.Hash, 16)
		var sub *rpc.ClientSubscription
		if full {
			sub, err = client.EthSubscribe(ctx, got, "newPendingTransactions", true)
		} else {
			sub, err = client.EthSubscribe(ctx, hashes, "newPendingTransactions")
		}
		if err != nil {
			t.Fatal(err)
		}
		seen := map[common.Hash]int{}
		for len(seen) < 4 {
			select {
			case tx := <-got:
				seen[common.HexToHash(tx["hash"].(string))]++
			case hash := <-hashes:
				seen[hash]++
			case err := <-sub.Err():
				t.Fatal(err)
			case <-time.After(10 * time.Second):
				t.Fatalf("full %v: only %v arrived", full, seen)
			}
		}
		for i := byte(1); i <= 4; i++ {
			if seen[h(i)] != 1 {
				t.Errorf("full %v: transaction %d arrived %d times", full, i, seen[h(i)])
			}
		}
		if seen[h(5)] > 0 {
			t.Errorf("full %v: an unfit node's transaction was relayed", full)
		}
		sub.Unsubscribe()
		await.True(t, 10*time.Second, "the gateway to drop its subscriptions on the nodes", func() bool {
			return openA.Load()+openB.Load()+openC.Load() == 0
		})
		// The next round's pools announce the same transactions again;
		// the gateway has sent them, so clear what it remembers.
		s.pending.mu.Lock()
		s.pending.seenHash.Purge()
		s.pending.seenFull.Purge()
		s.pending.mu.Unlock()
	}
}
