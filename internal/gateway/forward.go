package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
)

// errNoFitUpstream means every upstream is unreachable, syncing or lagging.
var errNoFitUpstream = errors.New("no fit upstream: every node is unreachable, syncing or behind the fleet")

// writeMethods send something into the network. They are never retried
// blindly: a transport failure may come after the node took the
// transaction in.
var writeMethods = map[string]bool{
	"eth_sendRawTransaction":     true,
	"eth_sendRawTransactionSync": true,
	"eth_sendTransaction":        true,
}

// forward answers every call that has no answer yet: each write and each
// call on a filter on its own, the reads together. key is the client's API
// key name, "" without keys: a filter is the key's that made it.
func (s *Server) forward(ctx context.Context, calls []call, key string) {
	var reads []*call
	for i := range calls {
		c := &calls[i]
		switch {
		case c.answer != nil:
		case writeMethods[c.req.Method]:
			c.answer = s.forwardWrite(ctx, c)
		case newFilterMethods[c.req.Method]:
			c.answer = s.forwardNewFilter(ctx, c, key)
		case filterMethods[c.req.Method]:
			c.answer = s.forwardFilterCall(ctx, c, key)
		default:
			reads = append(reads, c)
		}
	}
	s.forwardReads(ctx, reads)
}

// forwardReads answers reads from the cache where it can, merges a lone
// read with an identical one in flight, fetches the rest, and keeps what
// may be kept.
func (s *Server) forwardReads(ctx context.Context, pending []*call) {
	if len(pending) == 0 {
		return
	}
	finalized := s.router.View().Finalized
	type missed struct {
		c   *call
		key string
	}
	var keep []missed // cacheable calls the cache did not have
	if s.cache != nil {
		var misses []*call
		for _, c := range pending {
			key, ok := cacheKey(&c.req, finalized)
			if ok {
				if b, hit := s.cache.entries.Get(key); hit {
					s.metrics.cacheHits.Inc()
					c.answer = &response{JSONRPC: "2.0", ID: idOrNull(c.req.ID), Result: b}
					continue
				}
				s.metrics.cacheMisses.Inc()
				keep = append(keep, missed{c, key})
			}
			misses = append(misses, c)
		}
		pending = misses
	}
	switch {
	case len(pending) == 1 && s.cfg.MergeInFlight:
		s.fetchMerged(ctx, pending[0])
	case len(pending) > 0:
		s.fetch(ctx, pending)
	}
	for _, m := range keep {
		if keepable(&m.c.req, m.c.answer, finalized) {
			s.cache.entries.Add(m.key, m.c.answer.Result)
		}
	}
}

// fetchMerged answers c from one upstream fetch shared with every
// identical call in flight at the same moment. The fetch runs on its own
// context, bounded by the request timeout, so that one client leaving does
// not fail the others.
func (s *Server) fetchMerged(ctx context.Context, c *call) {
	v, _, shared := s.inflight.Do(callKey(&c.req), func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RequestTimeout)
		defer cancel()
		own := &call{req: c.req}
		s.fetch(fctx, []*call{own})
		return own.answer, nil
	})
	if shared {
		s.metrics.merged.Inc()
	}
	answer := *v.(*response)
	answer.ID = idOrNull(c.req.ID)
	c.answer = &answer
}

// fetch sends the calls to the fit upstreams in turn, as one call or one
// batch. What an upstream fails to deliver (a transport failure) or
// answers in a way another upstream may not (a block it does not have yet)
// moves on to the next upstream; every other answer is final.
func (s *Server) fetch(ctx context.Context, pending []*call) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	lastErr := make(map[*call]error, len(pending))
	for _, c := range pending {
		lastErr[c] = errNoFitUpstream
	}
	for _, u := range s.router.candidatesFor(s.needsOf(pending)) {
		if len(pending) == 0 || ctx.Err() != nil {
			break
		}
		reqs := make([]*request, len(pending))
		for i, c := range pending {
			reqs[i] = &c.req
		}
		start := time.Now()
		results, errs, err := u.send(ctx, reqs)
		s.router.metrics.attempt(u, time.Since(start), err)
		if err != nil {
			s.log.Debug("upstream failed, trying the next", "upstream", u.name, "err", err)
			for _, c := range pending {
				if lastErr[c] != errNotHere { // a fit node's null beats a failure
					lastErr[c] = err
				}
			}
			continue
		}
		var next []*call
		for i, c := range pending {
			switch {
			case retryable(errs[i]):
				lastErr[c] = errs[i]
			case errs[i] == nil && isNull(results[i]) && mayBeElsewhere(&c.req):
				lastErr[c] = errNotHere
			default:
				c.answer = s.answer(ctx, &c.req, results[i], errs[i])
				continue
			}
			next = append(next, c)
		}
		pending = next
	}
	for _, c := range pending {
		if lastErr[c] == errNotHere {
			c.answer = s.answer(ctx, &c.req, nil, nil)
			continue
		}
		c.answer = s.answer(ctx, &c.req, nil, lastErr[c])
	}
}

// errNotHere marks a call one upstream answered with null, which another
// may answer.
var errNotHere = errors.New("not found on this upstream")

// mayBeElsewhere reports whether a null answer to req may be one node's
// lag rather than the truth: a block asked for by hash, or a transaction
// looked up by hash, which a node a block behind the fleet has not seen.
func mayBeElsewhere(req *request) bool {
	return byHashMethods[req.Method] || byTxHashMethods[req.Method]
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// needsOf returns what the calls ask of an upstream, with each block
// named by a hash the gateway has seen turned into its number.
func (s *Server) needsOf(pending []*call) []need {
	var needs []need
	for _, c := range pending {
		n, ok := needOf(&c.req)
		if !ok {
			continue
		}
		if n.hash != (common.Hash{}) {
			number, known := s.heads.numberOf(n.hash)
			if !known {
				continue
			}
			n.newest, n.oldest, n.keeps = number, number, true
		}
		needs = append(needs, n)
	}
	return needs
}

// forwardWrite sends a write to one fit upstream, or to every fit upstream
// when the gateway broadcasts writes, and never sends it again.
func (s *Server) forwardWrite(ctx context.Context, c *call) *response {
	candidates := s.router.candidates()
	if len(candidates) == 0 {
		return s.answer(ctx, &c.req, nil, errNoFitUpstream)
	}
	if !s.cfg.BroadcastWrites {
		candidates = candidates[:1]
	}
	type outcome struct {
		result json.RawMessage
		err    error
	}
	outcomes := make(chan outcome, len(candidates))
	// Every node of a broadcast gets the transaction, even after the first
	// answer has gone back to the client.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RequestTimeout)
	var wg sync.WaitGroup
	for _, u := range candidates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			result, err := s.sendOne(sendCtx, u, &c.req)
			outcomes <- outcome{result, err}
		}()
	}
	go func() { wg.Wait(); cancel() }()
	// The first acceptance wins; failing that, a node's own refusal (nonce
	// too low, say) beats a transport failure.
	var best *outcome
	for range candidates {
		o := <-outcomes
		if o.err == nil {
			return s.answer(ctx, &c.req, o.result, nil)
		}
		var te *transportError
		if best == nil || errors.As(best.err, &te) {
			best = &o
		}
	}
	var te *transportError
	if errors.As(best.err, &te) {
		s.log.Warn("write failed in transport; not retried", "method", c.req.Method, "err", best.err)
		r := errorResponse(idOrNull(c.req.ID), codeUnavailable, "upstream failed before answering: the transaction may or may not have been received; look it up by hash before sending it again")
		return &r
	}
	return s.answer(ctx, &c.req, nil, best.err)
}

// retryableMessages are answers a node gives for what it does not have yet
// or no longer keeps, and another node may.
var retryableMessages = []string{"header not found", "unknown block", "missing trie node", "historical state"}

// retryable reports whether another upstream may answer a call that got err.
func retryable(err error) bool {
	var te *transportError
	if errors.As(err, &te) {
		return true
	}
	var rpcErr rpc.Error
	if !errors.As(err, &rpcErr) {
		return false
	}
	if limited(err) {
		return true
	}
	msg := strings.ToLower(rpcErr.Error())
	for _, m := range retryableMessages {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// answer turns an upstream's result or error into the client's response.
// This is the one place where failures become JSON-RPC error codes.
func (s *Server) answer(ctx context.Context, req *request, result json.RawMessage, err error) *response {
	id := idOrNull(req.ID)
	var rpcErr rpc.Error
	var r response
	switch {
	case err == nil:
		if result == nil {
			result = nullID
		}
		r = response{JSONRPC: "2.0", ID: id, Result: result}
	case errors.As(err, &rpcErr):
		e := &rpcError{Code: rpcErr.ErrorCode(), Message: rpcErr.Error()}
		var dataErr rpc.DataError
		if errors.As(err, &dataErr) {
			e.Data = dataErr.ErrorData()
		}
		r = response{JSONRPC: "2.0", ID: id, Error: e}
	case errors.Is(err, errNoFitUpstream):
		r = errorResponse(id, codeUnavailable, "%v", err)
	case ctx.Err() != nil:
		r = errorResponse(id, codeInternal, "request timed out or was cancelled")
	default:
		s.log.Warn("call failed on every fit upstream", "method", req.Method, "err", err)
		r = errorResponse(id, codeUnavailable, "upstream unavailable: every fit node failed to answer")
	}
	return &r
}
