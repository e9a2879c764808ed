package gateway

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ethfleet/ethfleet/internal/probe"
)

// stateNode keeps the state of its newest window blocks (all, if window
// is 0) and counts the balance reads it gets.
type stateNode struct {
	head, window uint64
	reads        *atomic.Int64
}

func (n stateNode) GetBalance(_ common.Address, block rpc.BlockNumberOrHash) (*hexutil.Big, error) {
	n.reads.Add(1)
	number, _ := block.Number()
	if n.window > 0 && uint64(number)+n.window <= n.head {
		return nil, fmt.Errorf("missing trie node 0x5e1f (path ) state %#x is not available", uint64(number))
	}
	return (*hexutil.Big)(common.Big1), nil
}

// TestRoutingByHistory puts a pruned node (state of the newest 128
// blocks) beside an archive node. Old state is asked only of the archive;
// new state of both.
func TestRoutingByHistory(t *testing.T) {
	var prunedReads, archiveReads atomic.Int64
	pruned := upstream(t, "pruned", serveRPC(t, stateNode{head: 1000, window: 128, reads: &prunedReads}), true)
	archive := upstream(t, "archive", serveRPC(t, stateNode{head: 1000, reads: &archiveReads}), true)
	for _, u := range []struct {
		u       *Upstream
		history probe.History
	}{{pruned, probe.History{Known: true, State: probe.Retention{Window: 128}}}, {archive, probe.History{Known: true}}} {
		s := fitStatus(u.u.name, 1000)
		s.History = u.history
		u.u.probe.(*fakeProbe).Set(s)
	}
	url, _ := serveGateway(t, pruned, archive)
	balance := func(block uint64) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x0000000000000000000000000000000000000001","0x%x"]}`, block)
	}
	for i := 0; i < 40; i++ {
		if _, got := post(t, url, balance(16)); !strings.Contains(got, `"result":"0x1"`) {
			t.Fatalf("old state: %s", got)
		}
	}
	if n := prunedReads.Load(); n != 0 {
		t.Errorf("the pruned node was asked for old state %d times", n)
	}
	for i := 0; i < 40; i++ {
		if _, got := post(t, url, balance(990)); !strings.Contains(got, `"result":"0x1"`) {
			t.Fatalf("new state: %s", got)
		}
	}
	if prunedReads.Load() == 0 {
		t.Error("the pruned node was never asked for state it keeps")
	}
}

// receiptNode has mined the transaction or not yet.
type receiptNode struct{ mined bool }

func (n receiptNode) GetTransactionReceipt(hash common.Hash) map[string]any {
	if !n.mined {
		return nil
	}
	return map[string]any{"transactionHash": hash, "blockNumber": "0x65"}
}

// TestNullIsNotFinal asks for a receipt that one node, a block behind,
// does not have yet: the gateway asks the other instead of answering null.
// A receipt nobody has is null.
func TestNullIsNotFinal(t *testing.T) {
	url, _ := serveGateway(t,
		upstream(t, "behind", serveRPC(t, receiptNode{mined: false}), true),
		upstream(t, "ahead", serveRPC(t, receiptNode{mined: true}), true))
	const receipt = `{"jsonrpc":"2.0","id":1,"method":"eth_getTransactionReceipt","params":["0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6"]}`
	for i := 0; i < 40; i++ {
		if _, got := post(t, url, receipt); !strings.Contains(got, `"blockNumber":"0x65"`) {
			t.Fatalf("request %d: %s", i, got)
		}
	}
	url, _ = serveGateway(t,
		upstream(t, "a", serveRPC(t, receiptNode{}), true),
		upstream(t, "b", serveRPC(t, receiptNode{}), true))
	if _, got := post(t, url, receipt); got != `{"jsonrpc":"2.0","id":1,"result":null}` {
		t.Fatalf("nobody has it: %s", got)
	}
}

// hashNode has blocks up to its head and counts lookups by hash.
type hashNode struct {
	head    uint64
	lookups *atomic.Int64
}

func (n hashNode) GetBlockByHash(hash common.Hash, full bool) map[string]any {
	n.lookups.Add(1)
	if n.head < 10 {
		return nil
	}
	return map[string]any{"hash": hash, "number": "0xa"}
}

// TestRoutingByHash asks for block 10 by its hash, which the gateway has
// seen at the fleet's head: a node still at 9 is not asked.
func TestRoutingByHash(t *testing.T) {
	var behindLookups, aheadLookups atomic.Int64
	behind := upstream(t, "behind", serveRPC(t, hashNode{head: 9, lookups: &behindLookups}), true)
	ahead := upstream(t, "ahead", serveRPC(t, hashNode{head: 10, lookups: &aheadLookups}), true)
	behind.probe.(*fakeProbe).Set(fitStatus("behind", 9))
	ahead.probe.(*fakeProbe).Set(fitStatus("ahead", 10))
	r := newTestRouter(t, []*Upstream{behind, ahead})
	s, err := NewServer(Config{MaxBatch: 10, MaxBodyBytes: 4096, RequestTimeout: 5 * time.Second}, r, nil, newRegistry())
	if err != nil {
		t.Fatal(err)
	}
	hash := common.HexToHash("0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6")
	s.heads.remember(10, hash)
	hs := httptest.NewServer(s)
	defer hs.Close()
	for i := 0; i < 40; i++ {
		if _, got := post(t, hs.URL, `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByHash","params":["`+hash.Hex()+`",false]}`); !strings.Contains(got, `"number":"0xa"`) {
			t.Fatalf("request %d: %s", i, got)
		}
	}
	if n := behindLookups.Load(); n != 0 {
		t.Errorf("the node at 9 was asked for block 10 by hash %d times", n)
	}
}
