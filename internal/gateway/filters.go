package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// A filter (eth_newFilter, eth_newBlockFilter,
// eth_newPendingTransactionFilter) lives on the node that made it, and
// every later call on it must go there. The gateway gives the client an id
// of its own, unguessable, that names the node and the node's id; calls on
// a filter are never merged, cached or spread over the fleet.
var (
	newFilterMethods = map[string]bool{
		"eth_newFilter": true, "eth_newBlockFilter": true, "eth_newPendingTransactionFilter": true,
	}
	filterMethods = map[string]bool{
		"eth_getFilterChanges": true, "eth_getFilterLogs": true, "eth_uninstallFilter": true,
	}
)

const (
	// filterIdle is how long a filter nobody polls is kept: go-ethereum
	// drops it after 5 minutes (eth/filters's deadline).
	filterIdle = 5 * time.Minute
	// maxFilters bounds the filters a gateway keeps track of.
	maxFilters = 10000
)

// filterTable maps the gateway's filter ids to the nodes' filters.
type filterTable struct {
	mu   sync.Mutex
	byID map[string]*filterRef
}

type filterRef struct {
	upstream *Upstream
	nodeID   json.RawMessage // the node's id for it, as the node wrote it
	key      string          // the API key that made it: only it may use it
	used     time.Time
}

// add records the filter nodeID of u, made by key, and returns the id the
// client gets, or false when the table is full of filters polled in the
// last filterIdle.
func (t *filterTable) add(u *Upstream, nodeID json.RawMessage, key string, now time.Time) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID == nil {
		t.byID = map[string]*filterRef{}
	}
	if len(t.byID) >= maxFilters {
		for id, f := range t.byID {
			if now.Sub(f.used) > filterIdle {
				delete(t.byID, id)
			}
		}
		if len(t.byID) >= maxFilters {
			return "", false
		}
	}
	var b [16]byte
	rand.Read(b[:])
	id := "0x" + hex.EncodeToString(b[:])
	t.byID[id] = &filterRef{upstream: u, nodeID: nodeID, key: key, used: now}
	return id, true
}

// get returns the filter id names if key made it, marking it used.
func (t *filterTable) get(id, key string, now time.Time) (filterRef, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.byID[id]
	if !ok || f.key != key {
		return filterRef{}, false
	}
	f.used = now
	return *f, true
}

func (t *filterTable) remove(id string) {
	t.mu.Lock()
	delete(t.byID, id)
	t.mu.Unlock()
}

// forwardNewFilter makes the filter on one fit upstream (the next, if one
// fails in transport) and answers with the gateway's id for it.
func (s *Server) forwardNewFilter(ctx context.Context, c *call, key string) *response {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	err := errNoFitUpstream
	for _, u := range s.router.candidates() {
		var result json.RawMessage
		if result, err = s.sendOne(ctx, u, &c.req); err != nil {
			var te *transportError
			if errors.As(err, &te) {
				continue
			}
			break
		}
		id, ok := s.filters.add(u, result, key, s.cfg.Now())
		if !ok {
			r := errorResponse(idOrNull(c.req.ID), codeLimitExceeded, "too many filters (%d) on this gateway: uninstall the ones you no longer poll, or use eth_subscribe", maxFilters)
			return &r
		}
		return s.answer(ctx, &c.req, json.RawMessage(`"`+id+`"`), nil)
	}
	return s.answer(ctx, &c.req, nil, err)
}

// forwardFilterCall sends a call on a filter to the node that holds it,
// with the node's id for it. Another key's filter is not found.
func (s *Server) forwardFilterCall(ctx context.Context, c *call, key string) *response {
	var params []string
	if json.Unmarshal(c.req.Params, &params) != nil || len(params) != 1 {
		r := errorResponse(idOrNull(c.req.ID), codeInvalidParams, "%s takes one param, the filter id", c.req.Method)
		return &r
	}
	f, ok := s.filters.get(params[0], key, s.cfg.Now())
	if !ok {
		// What a node answers for a filter it does not have.
		r := errorResponse(idOrNull(c.req.ID), codeFilterGone, "filter not found")
		return &r
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	req := c.req
	req.Params = json.RawMessage(`[` + string(f.nodeID) + `]`)
	result, err := s.sendOne(ctx, f.upstream, &req)
	var te *transportError
	switch {
	case errors.As(err, &te):
		r := errorResponse(idOrNull(c.req.ID), codeUnavailable, "the node that holds filter %s did not answer; if it stays away, make a new filter", params[0])
		return &r
	case err != nil && err.Error() == "filter not found", err == nil && c.req.Method == "eth_uninstallFilter":
		s.filters.remove(params[0]) // the node dropped it, or was told to
	}
	return s.answer(ctx, &c.req, result, err)
}

// sendOne sends req to u alone, counting the attempt.
func (s *Server) sendOne(ctx context.Context, u *Upstream, req *request) (json.RawMessage, error) {
	start := time.Now()
	results, errs, err := u.send(ctx, []*request{req})
	s.router.metrics.attempt(u, time.Since(start), err)
	if err != nil {
		return nil, err
	}
	return results[0], errs[0]
}
