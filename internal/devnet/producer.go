package devnet

import (
	"context"
	"time"

	"github.com/ethereum/go-ethereum/beacon/engine"
)

// seal asks the simulated beacon for a block every block time, then tells
// the followers about the new head.
func (d *Devnet) seal(ctx context.Context) {
	every(ctx, d.cfg.BlockTime, func() {
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
