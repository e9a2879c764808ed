package miner

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// userAgent is how the miner names itself in mining.subscribe.
const userAgent = "ethfleet"

// ethStratumClient speaks EthereumStratum/1.0.0.
type ethStratumClient struct {
	addr   string
	worker string
	current

	mu         sync.Mutex
	extranonce string  // hex, applied to jobs
	nextExtra  *string // from mining.set_extranonce, applied at the next job
	difficulty float64
}

func (c *ethStratumClient) run(ctx context.Context, jobs chan<- Job) error {
	conn, err := dialLine(ctx, c.addr, "")
	if err != nil {
		return err
	}
	c.set(conn)
	c.mu.Lock()
	c.extranonce, c.nextExtra, c.difficulty = "", nil, 1
	c.mu.Unlock()
	push := func(m message) error { return c.push(ctx, m, jobs) }
	return serveSession(ctx, conn, push, func() error { return c.login(ctx, conn) })
}

func (c *ethStratumClient) login(ctx context.Context, conn *lineConn) error {
	m, err := conn.call(ctx, "mining.subscribe", []string{userAgent, "EthereumStratum/1.0.0"}, "")
	if err != nil {
		return err
	}
	// [["mining.notify", subscription, "EthereumStratum/1.0.0"], extranonce]
	var result []json.RawMessage
	if m.failed() || json.Unmarshal(m.Result, &result) != nil || len(result) < 2 {
		return fmt.Errorf("mining.subscribe: refused: %s%s", m.Error, m.Result)
	}
	var extra string
	if err := json.Unmarshal(result[1], &extra); err != nil {
		return fmt.Errorf("mining.subscribe: extranonce %s: %w", result[1], err)
	}
	if err := checkExtranonce(extra); err != nil {
		return fmt.Errorf("mining.subscribe: %w", err)
	}
	c.mu.Lock()
	c.extranonce = extra
	c.mu.Unlock()

	m, err = conn.call(ctx, "mining.authorize", []string{c.worker, "x"}, "")
	if err != nil {
		return err
	}
	if ok, reason := resultTrue(m); !ok {
		return fmt.Errorf("mining.authorize %q: refused: %s", c.worker, reason)
	}
	// Lets the pool change the extranonce without reconnecting; a pool
	// that does not know it may refuse, which changes nothing.
	_, err = conn.call(ctx, "mining.extranonce.subscribe", []string{}, "")
	return err
}

func checkExtranonce(hex string) error {
	if len(hex) > 14 {
		return fmt.Errorf("extranonce %q is longer than 7 bytes", hex)
	}
	if hex == "" {
		return nil
	}
	if _, err := strconv.ParseUint(hex, 16, 64); err != nil {
		return fmt.Errorf("extranonce %q is not hex", hex)
	}
	return nil
}

func (c *ethStratumClient) push(ctx context.Context, m message, jobs chan<- Job) error {
	switch m.Method {
	case "mining.set_difficulty":
		var p []float64
		if err := json.Unmarshal(m.Params, &p); err != nil || len(p) < 1 {
			return fmt.Errorf("mining.set_difficulty %s: want [difficulty]", m.Params)
		}
		c.mu.Lock()
		c.difficulty = p[0]
		c.mu.Unlock()
	case "mining.set_extranonce":
		var p []string
		if err := json.Unmarshal(m.Params, &p); err != nil || len(p) < 1 {
			return fmt.Errorf("mining.set_extranonce %s: want [extranonce]", m.Params)
		}
		if err := checkExtranonce(p[0]); err != nil {
			return fmt.Errorf("mining.set_extranonce: %w", err)
		}
		c.mu.Lock()
		c.nextExtra = &p[0]
		c.mu.Unlock()
	case "mining.notify":
		j, err := c.job(m.Params)
		if err != nil {
			return err
		}
		return sendJob(ctx, jobs, j)
	}
	return nil // other notifications (client.show_message, ...) are ignored
}

// job reads mining.notify [job id, seed hash, header hash, clean jobs].
func (c *ethStratumClient) job(params json.RawMessage) (Job, error) {
	var p []json.RawMessage
	var j Job
	if err := json.Unmarshal(params, &p); err != nil || len(p) < 3 {
		return j, fmt.Errorf("mining.notify %s: want [job, seed, header, clean]", params)
	}
	var id, seed, header string
	for i, dst := range []*string{&id, &seed, &header} {
		if err := json.Unmarshal(p[i], dst); err != nil {
			return j, fmt.Errorf("mining.notify: item %d: %w", i, err)
		}
	}
	var err error
	if j.Seed, err = parseHash32(seed); err != nil {
		return j, fmt.Errorf("mining.notify: seed: %w", err)
	}
	if j.Header, err = parseHash32(header); err != nil {
		return j, fmt.Errorf("mining.notify: header: %w", err)
	}
	height, ok := heightForSeed(j.Seed)
	if !ok {
		return j, fmt.Errorf("mining.notify: seed %s: not among the first %d epochs", seed, maxSeedEpochs)
	}
	j.ID, j.Height = id, height

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nextExtra != nil {
		c.extranonce, c.nextExtra = *c.nextExtra, nil
	}
	j.Target = stratumTarget(c.difficulty)
	if c.extranonce != "" {
		prefix, _ := strconv.ParseUint(c.extranonce, 16, 64) // checked on arrival
		j.PrefixBits = uint(4 * len(c.extranonce))
		j.NoncePrefix = prefix << (64 - j.PrefixBits)
	}
	return j, nil
}

func (c *ethStratumClient) submit(ctx context.Context, s Solution) (bool, string, error) {
	conn, err := c.get()
	if err != nil {
		return false, "", err
	}
	// The nonce without the extranonce: its low 64-PrefixBits bits.
	digits := int(16 - s.Job.PrefixBits/4)
	nonce := fmt.Sprintf("%016x", s.Nonce)[16-digits:]
	m, err := conn.call(ctx, "mining.submit", []string{c.worker, s.Job.ID, nonce}, "")
	if err != nil {
		return false, "", err
	}
	ok, reason := resultTrue(m)
	return ok, reason, nil
}

func (c *ethStratumClient) reportHashrate(ctx context.Context, rate float64, id [32]byte) error {
	conn, err := c.get()
	if err != nil {
		return err
	}
	return reportOverStratum(ctx, conn, c.worker, rate, id)
}

// reportOverStratum sends eth_submitHashrate on a stratum connection, as
// ethminer does in both dialects; a refusal is not an error worth more
// than a log line to the caller.
func reportOverStratum(ctx context.Context, conn *lineConn, worker string, rate float64, id [32]byte) error {
	m, err := conn.call(ctx, "eth_submitHashrate", []string{hexutil.EncodeUint64(uint64(rate)), hexutil.Encode(id[:])}, worker)
	if err != nil {
		return err
	}
	if ok, reason := resultTrue(m); !ok {
		return fmt.Errorf("eth_submitHashrate: refused: %s", strings.TrimSpace(reason))
	}
	return nil
}
