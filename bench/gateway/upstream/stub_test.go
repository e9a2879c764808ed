package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

type testHeader struct {
	Number     hexutil.Uint64 `json:"number"`
	Hash       common.Hash    `json:"hash"`
	ParentHash common.Hash    `json:"parentHash"`
	ExtraData  hexutil.Bytes  `json:"extraData"`
}

// TestStubAnswersAsANode asks what the gateway's probe and head feed ask,
// over HTTP and WebSocket, and checks that the chain hangs together.
func TestStubAnswersAsANode(t *testing.T) {
	c, err := newChain(1337, 10, 2, 2, time.Second, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h, err := newStubHandler(c, stubConfig{peers: 3})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	client, err := rpc.DialContext(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var chainID, peers hexutil.Uint64
	var syncing bool
	var latest, finalized, eleven *testHeader
	batch := []rpc.BatchElem{
		{Method: "eth_chainId", Result: &chainID},
		{Method: "net_peerCount", Result: &peers},
		{Method: "eth_syncing", Result: &syncing},
		{Method: "eth_getBlockByNumber", Args: []any{"latest", false}, Result: &latest},
		{Method: "eth_getBlockByNumber", Args: []any{"finalized", false}, Result: &finalized},
		{Method: "eth_getBlockByNumber", Args: []any{"0xb", true}, Result: &eleven},
	}
	if err := client.BatchCallContext(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, e := range batch {
		if e.Error != nil {
			t.Fatalf("%s: %v", e.Method, e.Error)
		}
	}
	if chainID != 1337 || peers != 3 || syncing || latest.Number != 10 || finalized.Number != 8 || eleven != nil {
		t.Fatalf("chainId %d, peers %d, syncing %v, latest %d, finalized %d, block 11 %v", chainID, peers, syncing, latest.Number, finalized.Number, eleven)
	}
	var parent *testHeader
	if err := client.CallContext(ctx, &parent, "eth_getBlockByHash", latest.ParentHash, false); err != nil {
		t.Fatal(err)
	}
	if parent.Number != 9 || parent.Hash != blockHash(9) {
		t.Fatalf("parent of %d is %d %s", latest.Number, parent.Number, parent.Hash)
	}

	ws, err := rpc.DialContext(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	heads := make(chan json.RawMessage, 1)
	sub, err := ws.EthSubscribe(ctx, heads, "newHeads")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	emitted := time.Now()
	if err := c.produce(emitted); err != nil {
		t.Fatal(err)
	}
	var head testHeader
	select {
	case raw := <-heads:
		json.Unmarshal(raw, &head)
	case err := <-sub.Err():
		t.Fatal(err)
	}
	at, ok := emitTime(head.ExtraData)
	if head.Number != 11 || head.ParentHash != latest.Hash || !ok || !at.Equal(emitted) {
		t.Fatalf("new head %d, parent %s (want %s), emitted %v (want %v)", head.Number, head.ParentHash, latest.Hash, at, emitted)
	}
}
