package gateway

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

var (
	addrA  = common.HexToAddress("0xa")
	addrB  = common.HexToAddress("0xb")
	topicX = common.HexToHash("0x1")
	topicY = common.HexToHash("0x2")
)

func TestLogFilter(t *testing.T) {
	log := &types.Log{Address: addrA, Topics: []common.Hash{topicX, topicY}}
	tests := []struct {
		filter string
		want   bool
	}{
		{``, true},
		{`{}`, true},
		{`{"address":"0x000000000000000000000000000000000000000a"}`, true},
		{`{"address":["0x000000000000000000000000000000000000000b","0x000000000000000000000000000000000000000a"]}`, true},
		{`{"address":"0x000000000000000000000000000000000000000b"}`, false},
		{`{"topics":["0x0000000000000000000000000000000000000000000000000000000000000001"]}`, true},
		{`{"topics":[null,"0x0000000000000000000000000000000000000000000000000000000000000002"]}`, true},
		{`{"topics":[null,["0x0000000000000000000000000000000000000000000000000000000000000001"]]}`, false},
		{`{"topics":[null,null,null]}`, false},
	}
	for _, tt := range tests {
		f, err := parseLogFilter(json.RawMessage(tt.filter))
		if err != nil {
			t.Fatalf("%s: %v", tt.filter, err)
		}
		if got := f.matches(log); got != tt.want {
			t.Errorf("%s matches = %v, want %v", tt.filter, got, tt.want)
		}
	}
	for _, bad := range []string{`[]`, `{"address":7}`, `{"topics":[5]}`} {
		if _, err := parseLogFilter(json.RawMessage(bad)); err == nil {
			t.Errorf("filter %s accepted", bad)
		}
	}
}

// logsNode answers eth_getLogs by block hash from a fixed table.
type logsNode struct{ byHash map[common.Hash][]*types.Log }

func (n logsNode) GetLogs(filter struct {
	BlockHash common.Hash `json:"blockHash"`
}) []*types.Log {
	return n.byHash[filter.BlockHash]
}

// TestReorgSendsRemovedLogs publishes block 5 twice, as a reorg does: the
// first block's logs come again with removed set, then the new block's.
func TestReorgSendsRemovedLogs(t *testing.T) {
	hashA, hashB := common.HexToHash("0xaa"), common.HexToHash("0xbb")
	mk := func(h common.Hash, addr common.Address) *types.Log {
		return &types.Log{Address: addr, Topics: []common.Hash{topicX}, BlockNumber: 5, BlockHash: h, Data: []byte{}}
	}
	node := logsNode{byHash: map[common.Hash][]*types.Log{hashA: {mk(hashA, addrA)}, hashB: {mk(hashB, addrB)}}}
	u := upstream(t, "node", serveRPC(t, node), true)
	f := newHeadFeed(newTestRouter(t, []*Upstream{u}), nil, new(watermark))
	ch := make(chan json.RawMessage, 16)
	f.subscribeLogs(logFilter{}, chanSink(ch), func() { t.Error("too slow") })

	for _, h := range []common.Hash{hashA, hashB} {
		logs, err := f.fetchLogs(context.Background(), 5, h)
		if err != nil {
			t.Fatal(err)
		}
		f.publishLogs(5, logs)
	}
	got := drainLogs(t, ch)
	want := []struct {
		hash    common.Hash
		removed bool
	}{{hashA, false}, {hashA, true}, {hashB, false}}
	if len(got) != len(want) {
		t.Fatalf("got %d logs, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].BlockHash != w.hash || got[i].Removed != w.removed {
			t.Errorf("log %d: block %s removed %v, want %s %v", i, got[i].BlockHash, got[i].Removed, w.hash, w.removed)
		}
	}
}

// chanSink delivers into ch while it has room.
func chanSink(ch chan json.RawMessage) sink {
	return func(e json.RawMessage) bool {
		select {
		case ch <- e:
			return true
		default:
			return false
		}
	}
}
