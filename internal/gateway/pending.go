package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/lru"
	"github.com/ethereum/go-ethereum/rpc"
)

// Following the upstreams' pending transactions.
const (
	// pendingSeen is how many transaction hashes the feed remembers to
	// send each only once, whichever nodes announce it.
	pendingSeen = 1 << 15
	// pendingQueue is how many announcements of one upstream may wait.
	pendingQueue      = 4096
	pendingMinBackoff = 250 * time.Millisecond
	pendingMaxBackoff = 10 * time.Second
)

// pendingFeed relays the transactions that enter the pools of fit
// upstreams to newPendingTransactions subscribers, each once. It
// subscribes to the upstreams over their WebSockets only while a client
// listens, so an idle gateway costs them nothing.
type pendingFeed struct {
	router *Router
	log    *slog.Logger

	mu       sync.Mutex
	base     context.Context // the gateway's lifetime, once run has begun
	subs     map[*pendingSub]struct{}
	seenHash lru.BasicLRU[common.Hash, struct{}] // sent to hash subscribers
	seenFull lru.BasicLRU[common.Hash, struct{}] // sent to full subscribers
	stop     context.CancelFunc                  // stops following; nil while not following
	wg       sync.WaitGroup
}

type pendingSub struct {
	deliver sink
	full    bool // whole transactions rather than hashes
	slow    func()
}

func newPendingFeed(r *Router, log *slog.Logger) *pendingFeed {
	return &pendingFeed{
		router:   r,
		log:      log,
		subs:     map[*pendingSub]struct{}{},
		seenHash: lru.NewBasicLRU[common.Hash, struct{}](pendingSeen),
		seenFull: lru.NewBasicLRU[common.Hash, struct{}](pendingSeen),
	}
}

// run lets the feed follow upstreams until ctx ends.
func (f *pendingFeed) run(ctx context.Context) {
	f.mu.Lock()
	f.base = ctx
	if len(f.subs) > 0 {
		f.follow()
	}
	f.mu.Unlock()
	<-ctx.Done()
	f.mu.Lock()
	f.unfollow()
	f.mu.Unlock()
	f.wg.Wait()
}

// subscribe adds a subscriber of hashes, or of whole transactions if full;
// if it has no room when a transaction arrives, slow is called and it is
// dropped.
func (f *pendingFeed) subscribe(full bool, deliver sink, slow func()) (unsubscribe func()) {
	s := &pendingSub{deliver: deliver, full: full, slow: slow}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs[s] = struct{}{}
	if f.stop == nil && f.base != nil && f.base.Err() == nil {
		f.follow()
	}
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs, s)
		if len(f.subs) == 0 {
			f.unfollow()
		}
	}
}

// follow starts following every upstream that has a WebSocket. Called
// with f.mu held.
func (f *pendingFeed) follow() {
	ctx, cancel := context.WithCancel(f.base)
	f.stop = cancel
	for _, u := range f.router.upstreams {
		if u.ws == "" {
			continue
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.followUpstream(ctx, u)
		}()
	}
}

// unfollow stops following. Called with f.mu held.
func (f *pendingFeed) unfollow() {
	if f.stop != nil {
		f.stop()
		f.stop = nil
	}
}

// followUpstream keeps a subscription to u's pending transactions until
// ctx ends, subscribing again with backoff when it breaks.
func (f *pendingFeed) followUpstream(ctx context.Context, u *Upstream) {
	backoff := pendingMinBackoff
	for {
		subscribed, err := f.followOnce(ctx, u)
		if ctx.Err() != nil {
			return
		}
		if subscribed {
			backoff = pendingMinBackoff
		}
		f.log.Debug("pending transactions: subscription ended", "upstream", u.name, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, pendingMaxBackoff)
	}
}

// followOnce subscribes to u's pending transactions, whole if it offers
// them (go-ethereum does), and relays them until the subscription breaks
// or ctx ends.
func (f *pendingFeed) followOnce(ctx context.Context, u *Upstream) (subscribed bool, err error) {
	c, err := rpc.DialContext(ctx, u.ws)
	if err != nil {
		return false, fmt.Errorf("dial: %w", err)
	}
	defer c.Close()
	txs := make(chan json.RawMessage, pendingQueue)
	full := true
	sub, err := c.EthSubscribe(ctx, txs, "newPendingTransactions", true)
	if err != nil {
		full = false
		if sub, err = c.EthSubscribe(ctx, txs, "newPendingTransactions"); err != nil {
			return false, fmt.Errorf("subscribe: %w", err)
		}
	}
	defer sub.Unsubscribe()
	for {
		select {
		case <-ctx.Done():
			return true, nil
		case err := <-sub.Err():
			return true, err
		case tx := <-txs:
			if f.router.isFit(u) {
				f.deliver(tx, full)
			}
		}
	}
}

// deliver sends a transaction (or its hash, if !full) to the subscribers
// that have not had it, dropping those that have no room.
func (f *pendingFeed) deliver(tx json.RawMessage, full bool) {
	var hash common.Hash
	if full {
		var t struct {
			Hash common.Hash `json:"hash"`
		}
		if json.Unmarshal(tx, &t) != nil {
			return
		}
		hash = t.Hash
	} else if json.Unmarshal(tx, &hash) != nil {
		return
	}
	hashJSON := json.RawMessage(`"` + hash.Hex() + `"`)
	f.mu.Lock()
	defer f.mu.Unlock()
	newHash := !f.seenHash.Contains(hash)
	newFull := full && !f.seenFull.Contains(hash)
	if newHash {
		f.seenHash.Add(hash, struct{}{})
	}
	if newFull {
		f.seenFull.Add(hash, struct{}{})
	}
	for s := range f.subs {
		msg := hashJSON
		switch {
		case s.full && newFull:
			msg = tx
		case s.full || !newHash:
			continue
		}
		if !s.deliver(msg) {
			delete(f.subs, s)
			go s.slow()
		}
	}
}
