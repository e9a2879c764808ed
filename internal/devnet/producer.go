package devnet

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ethereum/go-ethereum/beacon/engine"
)

// seal asks the simulated beacon for a block every block time, then tells
// the followers about the new head.
func (d *Devnet) seal(ctx context.Context) {
	every(ctx, d.cfg.BlockTime, func() {
		d.sealMu.Lock()
		defer d.sealMu.Unlock()
		d.sim.Commit() // logs its own failures through go-ethereum's log
		d.publishHead()
	})
}

// every calls f once per interval until ctx ends.
func every(ctx context.Context, interval time.Duration, f func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// publishHead stores the producer's forkchoice (head, safe and finalized
// block hashes) for the follower drivers.
func (d *Devnet) publishHead() {
	chain := d.producer.eth.BlockChain()
	var fc engine.ForkchoiceStateV1
	fc.HeadBlockHash = chain.CurrentBlock().Hash()
	if safe := chain.CurrentSafeBlock(); safe != nil {
		fc.SafeBlockHash = safe.Hash()
	}
	if final := chain.CurrentFinalBlock(); final != nil {
		fc.FinalizedBlockHash = final.Hash()
	}
	d.head.Set(fc)
}

// Reorg replaces the producer's newest depth blocks with a single sibling
// block, and hands the new head to the followers, which reorganise as they
// would under a consensus client. It returns the hashes of the old and the
// new block at the fork's first height. Blocks at or below the finalized
// block cannot be replaced.
func (d *Devnet) Reorg(depth uint64) (old, replacement common.Hash, err error) {
	d.sealMu.Lock()
	defer d.sealMu.Unlock()
	chain := d.producer.eth.BlockChain()
	// Seal what the pool holds, so the fork starts with an empty pool.
	d.sim.Commit()
	head := chain.CurrentBlock()
	if depth == 0 || head.Number.Uint64() <= depth {
		return old, replacement, fmt.Errorf("devnet: cannot reorg %d blocks at head %d", depth, head.Number)
	}
	forkAt := head.Number.Uint64() - depth + 1
	if final := chain.CurrentFinalBlock(); final != nil && forkAt <= final.Number.Uint64() {
		return old, replacement, fmt.Errorf("devnet: block %d is finalized", forkAt)
	}
	parent := chain.GetHeaderByNumber(forkAt - 1)
	old = chain.GetHeaderByNumber(forkAt).Hash()
	if err := d.sim.Fork(parent.Hash()); err != nil {
		return old, replacement, fmt.Errorf("devnet: fork: %w", err)
	}
	replacement = d.sim.Commit()
	if replacement == old || chain.CurrentBlock().Number.Uint64() != forkAt {
		return old, replacement, fmt.Errorf("devnet: the sibling of block %d was not sealed", forkAt)
	}
	d.publishHead()
	d.log.Info("devnet reorganised", "depth", depth, "number", forkAt, "old", old, "new", replacement)
	return old, replacement, nil
}
