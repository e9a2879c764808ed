package pool

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// node is the JSON-RPC client of the upstream node: plain JSON over
// net/http, for the four calls the pool makes.
type node struct {
	url  string
	http *http.Client
	id   atomic.Uint64
}

func newNode(url string) *node {
	return &node{url: url, http: &http.Client{Timeout: 10 * time.Second}}
}

// call calls method with params and decodes the result into out.
func (n *node) call(ctx context.Context, out any, method string, params ...any) error {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": n.id.Add(1), "method": method, "params": params})
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %.200s", method, resp.StatusCode, data)
	}
	var r struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if r.Error != nil {
		return fmt.Errorf("%s: %w", method, r.Error)
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("%s: result: %w", method, err)
	}
	return nil
}

// getWork fetches the node's current work. Nodes that answer with three
// members (no block number) get their height from eth_blockNumber + 1.
func (n *node) getWork(ctx context.Context) (*Job, error) {
	var work []string
	if err := n.call(ctx, &work, "eth_getWork"); err != nil {
		return nil, err
	}
	if len(work) < 3 {
		return nil, fmt.Errorf("eth_getWork: want at least 3 members, got %d", len(work))
	}
	header, ok1 := parseHash(work[0])
	seed, ok2 := parseHash(work[1])
	target, ok3 := parseHash(work[2])
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("eth_getWork: malformed work %q", work)
	}
	job := &Job{Header: header, Seed: seed, Target: new(big.Int).SetBytes(target[:])}
	if job.Target.Sign() == 0 {
		return nil, fmt.Errorf("eth_getWork: zero target")
	}
	if len(work) > 3 {
		h, err := strconv.ParseUint(strings.TrimPrefix(work[3], "0x"), 16, 64)
		if err != nil {
			return nil, fmt.Errorf("eth_getWork: block number %q: %w", work[3], err)
		}
		job.Height = h
		return job, nil
	}
	var head string
	if err := n.call(ctx, &head, "eth_blockNumber"); err != nil {
		return nil, err
	}
	h, err := strconv.ParseUint(strings.TrimPrefix(head, "0x"), 16, 64)
	if err != nil {
		return nil, fmt.Errorf("eth_blockNumber: %q: %w", head, err)
	}
	job.Height = h + 1
	return job, nil
}

// submitWork hands the node a solution; true means it took the block.
func (n *node) submitWork(ctx context.Context, nonce uint64, header, mix [32]byte) (bool, error) {
	var ok bool
	err := n.call(ctx, &ok, "eth_submitWork", fmt.Sprintf("0x%016x", nonce), hexHash(header), hexHash(mix))
	return ok, err
}

// balance is eth_getBalance(address, "latest") in wei.
func (n *node) balance(ctx context.Context, address string) (*big.Int, error) {
	var s string
	if err := n.call(ctx, &s, "eth_getBalance", address, "latest"); err != nil {
		return nil, err
	}
	b, ok := parseQuantity(s)
	if !ok {
		return nil, fmt.Errorf("eth_getBalance: %q is not a quantity", s)
	}
	return b, nil
}
