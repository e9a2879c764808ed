package miner

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// getWorkClient polls eth_getWork over HTTP JSON-RPC.
type getWorkClient struct {
	url  string
	poll time.Duration

	once sync.Once
	rpc  *rpc.Client
	err  error
}

func (c *getWorkClient) client(ctx context.Context) (*rpc.Client, error) {
	c.once.Do(func() {
		c.rpc, c.err = rpc.DialOptions(ctx, c.url)
		if c.err != nil {
			c.err = fmt.Errorf("getWork %s: %w", c.url, c.err)
		}
	})
	return c.rpc, c.err
}

func (c *getWorkClient) run(ctx context.Context, jobs chan<- Job) error {
	cl, err := c.client(ctx)
	if err != nil {
		return err
	}
	tick := time.NewTicker(c.poll)
	defer tick.Stop()
	last := ""
	for {
		var work []string
		if err := cl.CallContext(ctx, &work, "eth_getWork"); err != nil {
			return fmt.Errorf("eth_getWork: %w", err)
		}
		j, err := parseWork(work)
		if err != nil {
			return fmt.Errorf("eth_getWork: %w", err)
		}
		// A new header, or the same one at a new share target.
		if key := j.ID + hexutil.Encode(j.Target[:]); key != last {
			last = key
			if err := sendJob(ctx, jobs, j); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func (c *getWorkClient) submit(ctx context.Context, s Solution) (bool, string, error) {
	cl, err := c.client(ctx)
	if err != nil {
		return false, "", err
	}
	var ok bool
	err = cl.CallContext(ctx, &ok, "eth_submitWork",
		fmt.Sprintf("0x%016x", s.Nonce), hexutil.Encode(s.Job.Header[:]), hexutil.Encode(s.Mix[:]))
	if err != nil {
		if rpcErr, isRPC := err.(rpc.Error); isRPC {
			return false, rpcErr.Error(), nil
		}
		return false, "", fmt.Errorf("eth_submitWork: %w", err)
	}
	return ok, "", nil
}

func (c *getWorkClient) reportHashrate(ctx context.Context, rate float64, id [32]byte) error {
	cl, err := c.client(ctx)
	if err != nil {
		return err
	}
	var ok bool
	if err := cl.CallContext(ctx, &ok, "eth_submitHashrate", hexutil.Uint64(rate), hexutil.Encode(id[:])); err != nil {
		return fmt.Errorf("eth_submitHashrate: %w", err)
	}
	if !ok {
		return fmt.Errorf("eth_submitHashrate: refused")
	}
	return nil
}

func (c *getWorkClient) close() {
	if c.rpc != nil {
		c.rpc.Close()
	}
}
