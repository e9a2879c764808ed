package gateway

import (
	"errors"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ethfleet/ethfleet/internal/await"
)

// txNode is a node that takes transactions and may lag behind.
type txNode struct {
	lagging  bool
	received atomic.Int64
}

type txAPI struct{ n *txNode }

func (a txAPI) SendRawTransaction(tx hexutil.Bytes) (common.Hash, error) {
	a.n.received.Add(1)
	return common.BytesToHash(tx), nil
}

func (a txAPI) GetBalance(addr common.Address, block string) (*hexutil.Big, error) {
	if a.n.lagging {
		return nil, errors.New("header not found")
	}
	return (*hexutil.Big)(common.Big1), nil
}

func (a txAPI) BlockNumber() hexutil.Uint64 { return 7 }

func serveTxNode(t *testing.T, n *txNode) string { return serveRPC(t, txAPI{n}) }

func serveWith(t testing.TB, cfg Config, ups ...*Upstream) string {
	t.Helper()
	hs := httptest.NewServer(newServerWith(t, cfg, ups...))
	t.Cleanup(hs.Close)
	return hs.URL
}

// newServerWith is a gateway in front of ups, not yet serving.
func newServerWith(t testing.TB, cfg Config, ups ...*Upstream) *Server {
	t.Helper()
	reg := prometheus.NewRegistry()
	r, err := NewRouter(ups, nil, RouterConfig{MaxLag: 2}, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxBatch, cfg.MaxBodyBytes, cfg.RequestTimeout = 100, 1<<20, 5e9
	s, err := NewServer(cfg, r, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const sendTx = `{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x01"]}`

func TestWriteIsNeverRetried(t *testing.T) {
	good := &txNode{}
	url := serveWith(t, Config{}, upstream(t, "dead", deadURL(t), true), upstream(t, "good", serveTxNode(t, good), true))
	var accepted, refused int64
	for i := 0; i < 20; i++ {
		_, got := post(t, url, sendTx)
		switch {
		case strings.Contains(got, `"result":"0x0000000000000000000000000000000000000000000000000000000000000001"`):
			accepted++
		case strings.Contains(got, "may or may not have been received"):
			refused++
		default:
			t.Fatalf("answer %s", got)
		}
	}
	// Round robin put dead first half the time; those were not retried on
	// good, which saw exactly the accepted ones.
	if accepted == 0 || refused == 0 || good.received.Load() != accepted {
		t.Errorf("accepted %d, refused %d, good received %d", accepted, refused, good.received.Load())
	}
}

func TestBroadcastWrites(t *testing.T) {
	a, b := &txNode{}, &txNode{}
	url := serveWith(t, Config{BroadcastWrites: true},
		upstream(t, "dead", deadURL(t), true), upstream(t, "a", serveTxNode(t, a), true), upstream(t, "b", serveTxNode(t, b), true))
	for i := 0; i < 5; i++ {
		if _, got := post(t, url, sendTx); !strings.Contains(got, `"result"`) {
			t.Fatalf("broadcast answer %s", got)
		}
	}
	// The client has its answer at the first acceptance; the other node's
	// copy may still be on its way.
	await.True(t, 5*time.Second, "both nodes to receive every transaction", func() bool {
		return a.received.Load() == 5 && b.received.Load() == 5
	})
}

func TestWriteInBatchIsSplitOut(t *testing.T) {
	good := &txNode{}
	url := serveWith(t, Config{}, upstream(t, "dead", deadURL(t), true), upstream(t, "good", serveTxNode(t, good), true))
	var accepted int64
	for i := 0; i < 20; i++ {
		_, got := post(t, url, `[`+sendTx+`,{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"}]`)
		if !strings.Contains(got, `"id":2,"result":"0x7"`) {
			t.Fatalf("the read did not fail over: %s", got)
		}
		if strings.Contains(got, `"id":1,"result"`) {
			accepted++
		}
	}
	if good.received.Load() != accepted {
		t.Errorf("good received %d transactions, %d were accepted", good.received.Load(), accepted)
	}
}

func TestRetryableAnswerMovesOn(t *testing.T) {
	url := serveWith(t, Config{},
		upstream(t, "lagging", serveTxNode(t, &txNode{lagging: true}), true),
		upstream(t, "good", serveTxNode(t, &txNode{}), true))
	balance := `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x0000000000000000000000000000000000000001","0x7"]}`
	for i := 0; i < 6; i++ {
		if _, got := post(t, url, balance); !strings.Contains(got, `"result":"0x1"`) {
			t.Fatalf("single: %s", got)
		}
		if _, got := post(t, url, "["+balance+",{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_blockNumber\"}]"); !strings.Contains(got, `[{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":2,"result":"0x7"}]`) {
			t.Fatalf("batch: %s", got)
		}
	}
	// When every node lacks the block, the node's own answer goes back.
	url = serveWith(t, Config{}, upstream(t, "lagging", serveTxNode(t, &txNode{lagging: true}), true))
	if _, got := post(t, url, balance); !strings.Contains(got, `"message":"header not found"`) {
		t.Errorf("all lagging: %s", got)
	}
}

func TestFallbackToReferences(t *testing.T) {
	down := upstream(t, "node", serveNode(t, 5), false)
	refClient, err := rpc.Dial(serveNode(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	defer refClient.Close()
	ref := NewReference("infura", RPCConn(refClient)) // go-ethereum's client, as for a WebSocket reference

	reg := prometheus.NewRegistry()
	r, err := NewRouter([]*Upstream{down}, []*Upstream{ref}, RouterConfig{MaxLag: 2}, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(Config{MaxBatch: 10, MaxBodyBytes: 1 << 20, RequestTimeout: 5 * time.Second}, r, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	defer hs.Close()
	if _, got := post(t, hs.URL, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`); got != `{"jsonrpc":"2.0","id":1,"result":"0x6"}` {
		t.Fatalf("with no fit node: %s", got)
	}
	if n := testutil.ToFloat64(r.metrics.fallbacks.WithLabelValues("infura")); n != 1 {
		t.Errorf("fallbacks counted %v, want 1", n)
	}
	// A fit node is always preferred.
	down.probe.(*fakeProbe).Set(fitStatus("node", 5))
	r.refresh()
	if _, got := post(t, hs.URL, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`); got != `{"jsonrpc":"2.0","id":1,"result":"0x6"}` && !strings.Contains(got, `"0x5"`) {
		t.Fatalf("with a fit node: %s", got)
	}
	if n := testutil.ToFloat64(r.metrics.fallbacks.WithLabelValues("infura")); n != 1 {
		t.Errorf("reference used while a node was fit (%v uses)", n)
	}
}
