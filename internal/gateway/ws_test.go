package gateway_test

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

func wsURL(httpURL string) string { return "ws" + strings.TrimPrefix(httpURL, "http") }

// TestNewHeadsOutliveANode subscribes to newHeads through the gateway,
// stops a node mid-stream, and checks that every block number arrives
// exactly once and in order.
func TestNewHeadsOutliveANode(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 2})
	ctx := context.Background()
	ec, err := ethclient.Dial(wsURL(f.GatewayURL()))
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	heads := make(chan *types.Header, 64)
	sub, err := ec.SubscribeNewHead(ctx, heads)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	var got []uint64
	timeout := time.After(60 * time.Second)
	for len(got) < 14 {
		select {
		case h := <-heads:
			got = append(got, h.Number.Uint64())
			if len(got) == 4 {
				if err := f.Devnet().StopNode("follower-1"); err != nil {
					t.Fatal(err)
				}
			}
		case err := <-sub.Err():
			t.Fatalf("subscription ended: %v", err)
		case <-timeout:
			t.Fatalf("timed out with heads %v", got)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i] != got[i-1]+1 {
			t.Fatalf("heads not consecutive: %v", got)
		}
	}
}

func TestCallsOverWebSocket(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 1})
	ctx := context.Background()
	c, err := rpc.Dial(wsURL(f.GatewayURL()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var id string
	if err := c.CallContext(ctx, &id, "eth_chainId"); err != nil || id != "0x539" {
		t.Fatalf("eth_chainId = %q, %v", id, err)
	}
	batch := []rpc.BatchElem{
		{Method: "eth_blockNumber", Result: new(string)},
		{Method: "debug_traceBlockByNumber", Args: []any{"0x1"}, Result: new(any)},
	}
	if err := c.BatchCallContext(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if batch[0].Error != nil || batch[1].Error == nil || !strings.Contains(batch[1].Error.Error(), "not available on this gateway") {
		t.Errorf("batch over WS: %v / %v", batch[0].Error, batch[1].Error)
	}
	if _, err := c.EthSubscribe(ctx, make(chan any), "syncing"); err == nil || !strings.Contains(err.Error(), "this gateway serves newHeads, logs and newPendingTransactions") {
		t.Errorf("syncing subscription: %v", err)
	}

	hc, err := rpc.Dial(f.GatewayURL())
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	var subID string
	if err := hc.CallContext(ctx, &subID, "eth_subscribe", "newHeads"); err == nil || !strings.Contains(err.Error(), "notifications not supported") {
		t.Errorf("eth_subscribe over HTTP: %v", err)
	}
}

// TestLogsSubscription receives Ping logs through the gateway and checks
// them, log for log, against eth_getLogs over the same blocks.
func TestLogsSubscription(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 1})
	ctx := context.Background()
	ec, err := ethclient.Dial(wsURL(f.GatewayURL()))
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	logs := make(chan types.Log, 256)
	query := ethereum.FilterQuery{Topics: [][]common.Hash{{devnet.PingTopic}}}
	sub, err := ec.SubscribeFilterLogs(ctx, query, logs)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	var got []types.Log
	var first uint64
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l := <-logs:
			if l.Topics[0] != devnet.PingTopic || l.Removed {
				t.Fatalf("unexpected log %+v", l)
			}
			if first == 0 {
				first = l.BlockNumber + 1 // the first block may have begun before the subscription
			}
			if l.BlockNumber >= first {
				got = append(got, l)
			}
		case err := <-sub.Err():
			t.Fatal(err)
		case <-timeout:
			t.Fatalf("timed out with %d logs", len(got))
		}
		if first > 0 && len(got) > 0 && got[len(got)-1].BlockNumber > first+3 {
			break
		}
	}
	last := first + 3
	var delivered []types.Log
	for _, l := range got {
		if l.BlockNumber <= last {
			delivered = append(delivered, l)
		}
	}
	query.FromBlock, query.ToBlock = new(big.Int).SetUint64(first), new(big.Int).SetUint64(last)
	want, err := ec.FilterLogs(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || len(delivered) != len(want) {
		t.Fatalf("subscription delivered %d logs in blocks %d..%d, eth_getLogs has %d", len(delivered), first, last, len(want))
	}
	for i := range want {
		if delivered[i].TxHash != want[i].TxHash || delivered[i].Index != want[i].Index {
			t.Errorf("log %d: delivered %s/%d, eth_getLogs %s/%d", i, delivered[i].TxHash, delivered[i].Index, want[i].TxHash, want[i].Index)
		}
	}
}
