package devnet

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/ethfleet/ethfleet/internal/await"
)

func TestReorg(t *testing.T) {
	d := startConfig(t, Config{DataDir: t.TempDir(), Followers: 1, BlockTime: testBlockTime, TxPerBlock: 2, NoLogIndex: true})
	p, f := d.Producer(), d.Nodes()[1]
	await.True(t, 60*time.Second, "a few blocks on both nodes", func() bool { return p.Head() >= 6 && f.Head() >= p.Head()-1 })

	old, replacement, err := d.Reorg(2)
	if err != nil {
		t.Fatal(err)
	}
	if old == replacement {
		t.Fatal("the replacement is the old block")
	}
	ctx := context.Background()
	hashAt := func(n *Node, number uint64) common.Hash {
		c, err := ethclient.Dial(n.HTTPURL())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		h, err := c.HeaderByNumber(ctx, bigInt(number))
		if err != nil {
			return common.Hash{}
		}
		return h.Hash()
	}
	forkAt := p.eth.BlockChain().GetHeaderByHash(replacement).Number.Uint64()
	for _, n := range []*Node{p, f} {
		await.True(t, 60*time.Second, n.Name()+" to adopt the replacement", func() bool { return hashAt(n, forkAt) == replacement })
	}
	// The chain goes on from the replacement.
	await.True(t, 60*time.Second, "blocks on top of the replacement", func() bool { return f.Head() >= forkAt+3 })
	if got := hashAt(f, forkAt); got != replacement {
		t.Errorf("block %d on the follower is %s, want the replacement %s", forkAt, got, replacement)
	}
	if _, _, err := d.Reorg(1000); err == nil {
		t.Error("a reorg deeper than the chain succeeded")
	}
}
