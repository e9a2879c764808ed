package miner

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// ethProxyClient speaks EthProxy (ethminer's stratum1): getWork's
// methods over a stratum connection, with new work pushed as a response
// with id 0.
type ethProxyClient struct {
	addr   string
	worker string
	current
}

func (c *ethProxyClient) run(ctx context.Context, jobs chan<- Job) error {
	conn, err := dialLine(ctx, c.addr, "2.0")
	if err != nil {
		return err
	}
	c.set(conn)
	push := func(m message) error {
		if m.Method != "" || m.failed() || !pushedID(m.ID) {
			return nil // requests, errors and late answers carry no work
		}
		return c.work(ctx, m.Result, jobs)
	}
	return serveSession(ctx, conn, push, func() error {
		m, err := conn.call(ctx, "eth_submitLogin", []string{c.worker, "x"}, c.worker)
		if err != nil {
			return err
		}
		if ok, reason := resultTrue(m); !ok {
			return fmt.Errorf("eth_submitLogin %q: refused: %s", c.worker, reason)
		}
		m, err = conn.call(ctx, "eth_getWork", []string{}, c.worker)
		if err != nil {
			return err
		}
		if m.failed() {
			return fmt.Errorf("eth_getWork: %s", m.Error)
		}
		return c.work(ctx, m.Result, jobs)
	})
}

// work reads [header, seed, target, (number)] and hands out the job.
func (c *ethProxyClient) work(ctx context.Context, result json.RawMessage, jobs chan<- Job) error {
	var w []string
	if err := json.Unmarshal(result, &w); err != nil {
		return fmt.Errorf("ethproxy work %.200s: %w", result, err)
	}
	j, err := parseWork(w)
	if err != nil {
		return fmt.Errorf("ethproxy work: %w", err)
	}
	return sendJob(ctx, jobs, j)
}

func (c *ethProxyClient) submit(ctx context.Context, s Solution) (bool, string, error) {
	conn, err := c.get()
	if err != nil {
		return false, "", err
	}
	params := []string{fmt.Sprintf("0x%016x", s.Nonce), hexutil.Encode(s.Job.Header[:]), hexutil.Encode(s.Mix[:])}
	m, err := conn.call(ctx, "eth_submitWork", params, c.worker)
	if err != nil {
		return false, "", err
	}
	ok, reason := resultTrue(m)
	return ok, reason, nil
}

func (c *ethProxyClient) reportHashrate(ctx context.Context, rate float64, id [32]byte) error {
	conn, err := c.get()
	if err != nil {
		return err
	}
	return reportOverStratum(ctx, conn, c.worker, rate, id)
}

// pushedID reports whether an id marks pushed work: 0, null or none.
func pushedID(id json.RawMessage) bool {
	s := string(id)
	return s == "" || s == "0" || s == "null"
}
