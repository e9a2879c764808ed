package gateway_test

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/gethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// TestRealClients talks to the gateway the way backends do: through
// go-ethereum's ethclient and rpc.Client.
func TestRealClients(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 1})
	await.True(t, 60*time.Second, "a few blocks of transactions", func() bool { return f.View().Head >= 6 })
	ctx := context.Background()
	ec, err := ethclient.Dial(f.GatewayURL())
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()

	id, err := ec.ChainID(ctx)
	if err != nil || id.Uint64() != 1337 {
		t.Fatalf("ChainID = %v, %v", id, err)
	}
	head, err := ec.BlockNumber(ctx)
	if err != nil || head < 2 {
		t.Fatalf("BlockNumber = %d, %v", head, err)
	}
	block, err := ec.BlockByNumber(ctx, big.NewInt(1))
	if err != nil || block.NumberU64() != 1 || len(block.Transactions()) == 0 {
		t.Fatalf("block 1: %v (txs %d)", err, len(block.Transactions()))
	}
	// The first transaction of the chain deploys the ping contract. Queries
	// stay maxLag (2) below the head, which every fit node has.
	receipt, err := ec.TransactionReceipt(ctx, block.Transactions()[0].Hash())
	if err != nil || receipt.ContractAddress == (common.Address{}) {
		t.Fatalf("deploy receipt: %+v, %v", receipt, err)
	}
	logs, err := ec.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: big.NewInt(1), ToBlock: new(big.Int).SetUint64(head - 2), Topics: [][]common.Hash{{devnet.PingTopic}}})
	if err != nil {
		t.Fatalf("FilterLogs: %v", err)
	}
	if len(logs) == 0 {
		t.Errorf("no Ping logs in blocks 1..%d", head-2)
	}
	if _, err := ec.BalanceAt(ctx, receipt.ContractAddress, nil); err != nil {
		t.Errorf("BalanceAt: %v", err)
	}

	rc, err := rpc.Dial(f.GatewayURL())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var version string
	var number hexutil.Uint64
	var peers hexutil.Uint64
	batch := []rpc.BatchElem{
		{Method: "web3_clientVersion", Result: &version},
		{Method: "eth_blockNumber", Result: &number},
		{Method: "net_peerCount", Result: &peers},
		{Method: "admin_peers", Result: new(any)},
	}
	if err := rc.BatchCallContext(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, e := range batch[:3] {
		if e.Error != nil {
			t.Errorf("%s: %v", e.Method, e.Error)
		}
	}
	if version == "" || number == 0 {
		t.Errorf("batch results: version %q, number %d", version, number)
	}
	if rpcErr, ok := batch[3].Error.(rpc.Error); !ok || rpcErr.ErrorCode() != -32601 {
		t.Errorf("admin_peers through the gateway: %v", batch[3].Error)
	}
}

// TestPendingTransactionsFromDevnet follows the devnet's pools through
// the gateway with go-ethereum's gethclient: transactions the producer
// gossips to both followers arrive once each, and each is found by hash
// once mined.
func TestPendingTransactionsFromDevnet(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 2})
	ctx := context.Background()
	rc, err := rpc.Dial("ws" + strings.TrimPrefix(f.GatewayURL(), "http"))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	gc := gethclient.New(rc)
	hashes := make(chan common.Hash, 64)
	sub, err := gc.SubscribePendingTransactions(ctx, hashes)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	txs := make(chan *types.Transaction, 64)
	fullSub, err := gc.SubscribeFullPendingTransactions(ctx, txs)
	if err != nil {
		t.Fatal(err)
	}
	defer fullSub.Unsubscribe()

	seen, seenFull := map[common.Hash]int{}, map[common.Hash]int{}
	for len(seen) < 6 || len(seenFull) < 6 {
		select {
		case h := <-hashes:
			seen[h]++
		case tx := <-txs:
			seenFull[tx.Hash()]++
		case err := <-sub.Err():
			t.Fatal(err)
		case err := <-fullSub.Err():
			t.Fatal(err)
		case <-time.After(30 * time.Second):
			t.Fatalf("pending transactions: %d hashes, %d whole", len(seen), len(seenFull))
		}
	}
	ec := ethclient.NewClient(rc)
	for h, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", h, n)
		}
		await.True(t, 30*time.Second, "the transaction mined", func() bool {
			r, err := ec.TransactionReceipt(ctx, h)
			return err == nil && r.BlockNumber.Sign() > 0
		})
	}
	for h, n := range seenFull {
		if n != 1 {
			t.Errorf("whole: %s arrived %d times", h, n)
		}
	}
}
