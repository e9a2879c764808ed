package devnet

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/ethfleet/ethfleet/internal/await"
)

// TestSealBlocks seals blocks back to back on a devnet whose timer would
// not seal one for an hour: every block holds its transactions, each
// transfer funds a new address, each call emits a log, and the follower
// follows.
func TestSealBlocks(t *testing.T) {
	d := startConfig(t, Config{DataDir: t.TempDir(), Followers: 1, BlockTime: time.Hour, NoLogIndex: true})
	ctx := context.Background()
	const blocks, perBlock = 10, 6
	if err := d.SealBlocks(ctx, blocks, perBlock); err != nil {
		t.Fatal(err)
	}
	p, f := d.Producer(), d.Nodes()[1]
	if p.Head() != blocks {
		t.Fatalf("producer head %d, want %d", p.Head(), blocks)
	}
	c, err := ethclient.Dial(p.HTTPURL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	recipients := map[common.Address]bool{}
	for n := uint64(1); n <= blocks; n++ {
		b, err := c.BlockByNumber(ctx, bigInt(n))
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Transactions()) != perBlock {
			t.Fatalf("block %d holds %d transactions, want %d", n, len(b.Transactions()), perBlock)
		}
		for _, tx := range b.Transactions() {
			if tx.To() != nil && *tx.To() != pingAddress(d.gen.from) {
				recipients[*tx.To()] = true
			}
		}
	}
	// Block 1 starts with the deployment, so its transfers are at 2 and 4.
	if want := blocks*perBlock/2 - 1; len(recipients) != want {
		t.Errorf("%d distinct recipients, want %d", len(recipients), want)
	}
	for a := range recipients {
		if bal, err := c.BalanceAt(ctx, a, nil); err != nil || bal.Sign() == 0 {
			t.Fatalf("recipient %s has balance %v (%v)", a, bal, err)
		}
	}
	logs, err := c.FilterLogs(ctx, ethereum.FilterQuery{ToBlock: bigInt(blocks), Topics: [][]common.Hash{{PingTopic}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := blocks * perBlock / 2; len(logs) != want {
		t.Errorf("%d Ping logs, want %d", len(logs), want)
	}
	await.True(t, 60*time.Second, "the follower to reach the sealed head", func() bool { return f.Head() == blocks })
}

// TestSealBlocksBesideTheTimer seals blocks while the timer and the
// generator run: they share the faucet's nonces without a gap.
func TestSealBlocksBesideTheTimer(t *testing.T) {
	d := startDevnet(t, t.TempDir(), 0)
	await.True(t, 60*time.Second, "a few timed blocks", func() bool { return d.Producer().Head() >= 3 })
	before := d.Producer().Head()
	if err := d.SealBlocks(context.Background(), 5, 4); err != nil {
		t.Fatal(err)
	}
	if got := d.Producer().Head(); got < before+5 {
		t.Fatalf("head %d after sealing 5 blocks on %d", got, before)
	}
	await.True(t, 60*time.Second, "timed blocks with transactions after", func() bool {
		b := d.Producer().eth.BlockChain().CurrentBlock()
		return b.Number.Uint64() > before+6 && d.Producer().eth.BlockChain().GetBlock(b.Hash(), b.Number.Uint64()).Transactions().Len() > 0
	})
}

// TestResend restarts a follower that missed blocks while the timer seals
// none: however its first forkchoiceUpdated fares, Resend gets it to the
// head.
func TestResend(t *testing.T) {
	d := startConfig(t, Config{DataDir: t.TempDir(), Followers: 1, BlockTime: time.Hour, NoLogIndex: true})
	if err := d.StopNode("follower-1"); err != nil {
		t.Fatal(err)
	}
	if err := d.SealBlocks(context.Background(), 3, 2); err != nil {
		t.Fatal(err)
	}
	if err := d.RestartFollower("follower-1"); err != nil {
		t.Fatal(err)
	}
	f := d.Nodes()[1]
	next := time.Now()
	await.True(t, 60*time.Second, "the follower to reach the head", func() bool {
		if time.Now().After(next) {
			d.Resend()
			next = time.Now().Add(200 * time.Millisecond)
		}
		return f.Head() == 3
	})
}
