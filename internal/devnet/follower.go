package devnet

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/beacon/engine"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/rpc"
)

// engineCallTimeout bounds one engine API call; a follower that fetches an
// unknown head from its peers answers within it or reports SYNCING.
const engineCallTimeout = 5 * time.Second

// dialEngine connects to a follower's JWT-authenticated engine API, as a
// consensus client would.
func dialEngine(ctx context.Context, f *Node) (*rpc.Client, error) {
	c, err := rpc.DialOptions(ctx, f.stack.HTTPAuthEndpoint(), rpc.WithHTTPAuth(node.NewJWTAuth(f.jwtSecret)))
	if err != nil {
		return nil, fmt.Errorf("devnet: %s engine API: %w", f.name, err)
	}
	return c, nil
}

// drive sends the follower engine_forkchoiceUpdatedV3 with the producer's
// forkchoice each time it changes. A follower that lacks the head answers
// SYNCING and fetches the missing blocks from the producer over devp2p.
func (d *Devnet) drive(ctx context.Context, f *Node, engineRPC *rpc.Client) {
	changed, stop := d.head.Watch()
	defer stop()
	var last engine.ForkchoiceStateV1
	var sent uint64 // Resend calls answered
	for {
		fc, resends := d.head.Get(), d.resends.Load()
		if fc != last || resends != sent {
			status, err := forkchoiceUpdated(ctx, engineRPC, fc)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				d.log.Debug("forkchoiceUpdated failed", "node", f.name, "err", err)
			default:
				d.log.Debug("forkchoiceUpdated", "node", f.name, "head", fc.HeadBlockHash, "status", status)
				last, sent = fc, resends
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

func forkchoiceUpdated(ctx context.Context, c *rpc.Client, fc engine.ForkchoiceStateV1) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, engineCallTimeout)
	defer cancel()
	var resp engine.ForkChoiceResponse
	if err := c.CallContext(ctx, &resp, "engine_forkchoiceUpdatedV3", fc, nil); err != nil {
		return "", err
	}
	return resp.PayloadStatus.Status, nil
}

// Resend has every follower's driver send it the producer's forkchoice
// again, as a consensus client does each slot whether the head moved or
// not. A follower that was told of a head before it had a peer to fetch it
// from answered SYNCING and, while no new head comes, waits; told again, it
// fetches it.
func (d *Devnet) Resend() {
	d.sealMu.Lock() // publishHead runs under it: no newer head is overwritten
	defer d.sealMu.Unlock()
	d.resends.Add(1)
	d.head.Set(d.head.Get())
}
