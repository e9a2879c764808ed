package gateway

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// chainNode serves block headers from a chain the test can replace.
type chainNode struct {
	mu     sync.Mutex
	hashes map[uint64]common.Hash
}

func (n *chainNode) GetBlockByHash(hash common.Hash, full bool) map[string]any {
	n.mu.Lock()
	defer n.mu.Unlock()
	for number, h := range n.hashes {
		if h == hash {
			return map[string]any{"number": hexutil.Uint64(number), "hash": h, "parentHash": n.hashes[number-1]}
		}
	}
	return nil
}

func (n *chainNode) GetLogs(filter map[string]any) []any { return []any{} }

func chain(tag byte, from, to uint64, base map[uint64]common.Hash) map[uint64]common.Hash {
	c := map[uint64]common.Hash{}
	for k, v := range base {
		c[k] = v
	}
	for i := from; i <= to; i++ {
		c[i] = common.Hash{tag, byte(i)}
	}
	return c
}

// TestFeedResendsTheNewBranch reorganises under the feed: having sent 4 and
// 5 of chain a, it must send 4', 5' and 6' of chain b, not just 6'.
func TestFeedResendsTheNewBranch(t *testing.T) {
	a := chain('a', 1, 5, nil)
	b := chain('b', 4, 6, chain('a', 1, 3, nil))
	node := &chainNode{hashes: a}
	u := upstream(t, "node", serveRPC(t, node), true)
	r := newTestRouter(t, []*Upstream{u})
	f := newHeadFeed(r, nil, new(watermark))
	ch := make(chan json.RawMessage, 16)
	f.subscribe(chanSink(ch), func() { t.Error("too slow") })

	setHead := headMover(u, r, f)
	setHead(3, a[3]) // the feed starts here
	setHead(5, a[5])
	node.mu.Lock()
	node.hashes = b
	node.mu.Unlock()
	setHead(6, b[6])

	var got []common.Hash
	for len(ch) > 0 {
		var h struct{ Hash common.Hash }
		json.Unmarshal(<-ch, &h)
		got = append(got, h.Hash)
	}
	want := []common.Hash{a[4], a[5], b[4], b[5], b[6]}
	if len(got) != len(want) {
		t.Fatalf("sent %d heads, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("head %d: %x, want %x", i, got[i][:2], want[i][:2])
		}
	}
}
