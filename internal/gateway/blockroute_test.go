package gateway

import (
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// headNode has the blocks up to its head and nothing after.
type headNode struct{ head uint64 }

func (n headNode) BlockNumber() hexutil.Uint64 { return hexutil.Uint64(n.head) }

func (n headNode) GetBlockByNumber(number hexutil.Uint64, full bool) map[string]any {
	if uint64(number) > n.head {
		return nil
	}
	return map[string]any{"number": number}
}

func serveHeadNode(t *testing.T, name string, head uint64) *Upstream {
	t.Helper()
	u := upstream(t, name, serveRPC(t, headNode{head}), true)
	u.probe.(*fakeProbe).Set(fitStatus(name, head))
	return u
}

// TestRoutingByBlock puts a node at head 10 beside one at 9, both fit
// (maxLag 2): block 10 is asked only of the first, and eth_blockNumber,
// answered by either, never goes back.
func TestRoutingByBlock(t *testing.T) {
	url, _ := serveGateway(t, serveHeadNode(t, "ahead", 10), serveHeadNode(t, "behind", 9))
	var last uint64
	for i := 0; i < 100; i++ {
		if _, got := post(t, url, `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0xa",false]}`); !strings.Contains(got, `"number":"0xa"`) {
			t.Fatalf("request %d for block 10: %s", i, got)
		}
		_, got := post(t, url, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`)
		var n uint64
		switch {
		case strings.Contains(got, `"0xa"`):
			n = 10
		case strings.Contains(got, `"0x9"`):
			n = 9
		default:
			t.Fatalf("eth_blockNumber: %s", got)
		}
		if n < last {
			t.Fatalf("eth_blockNumber went back from %d to %d", last, n)
		}
		last = n
	}
}

// TestBlockNumberNeverGoesBack serves eth_blockNumber first from a node at
// 10, then, that node gone, only from one at 9: the gateway still answers 10.
func TestBlockNumberNeverGoesBack(t *testing.T) {
	ahead, behind := serveHeadNode(t, "ahead", 10), serveHeadNode(t, "behind", 9)
	url, r := serveGateway(t, ahead, behind)
	setUp := func(u *Upstream, up bool) {
		s := u.probe.Status()
		s.Up = up
		u.probe.(*fakeProbe).Set(s)
	}
	const blockNumber = `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`
	setUp(behind, false)
	r.refresh()
	if _, got := post(t, url, blockNumber); !strings.Contains(got, `"result":"0xa"`) {
		t.Fatalf("from the node at 10: %s", got)
	}
	setUp(ahead, false)
	setUp(behind, true)
	r.refresh()
	if _, got := post(t, url, blockNumber); !strings.Contains(got, `"result":"0xa"`) {
		t.Fatalf("from the node at 9, after 10 was served: %s", got)
	}
}
