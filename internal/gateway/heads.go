package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// maxBackfill bounds how many missed heads the feed fetches after a jump;
// beyond it, subscribers get the newest maxBackfill.
const maxBackfill = 128

// headFeed follows the fleet's agreed head and hands every new head's
// full header, once and in order, to its subscribers. It is owned by the
// gateway, not by any upstream: when a node goes, the probes of the others
// carry the head on, and a jump of several blocks is backfilled by number.
type headFeed struct {
	router *Router
	log    *slog.Logger
	served *watermark // raised to every head sent

	mu      sync.Mutex
	subs    map[*headSub]struct{}
	logSubs map[*logSub]struct{}

	recentLogs []blockLogs // logs sent for the newest blocks, oldest first

	last     uint64
	lastHash common.Hash
	sent     map[uint64]common.Hash // hashes of the recent blocks sent
	started  bool

	numbersMu sync.RWMutex
	numbers   map[common.Hash]uint64 // sent's inverse, for routing by hash
}

func newHeadFeed(r *Router, log *slog.Logger, served *watermark) *headFeed {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &headFeed{router: r, log: log, served: served, subs: map[*headSub]struct{}{}, logSubs: map[*logSub]struct{}{}}
}

// sink takes one event for a subscriber without blocking, and reports
// false when the subscriber has no room for it.
type sink func(json.RawMessage) bool

// headSub is one newHeads subscription.
type headSub struct {
	deliver sink
	slow    func() // called, once, when the subscriber falls behind
}

// subscribe adds a subscriber of each head's header; if it has no room
// when a head arrives, slow is called and it is dropped.
func (f *headFeed) subscribe(deliver sink, slow func()) (unsubscribe func()) {
	s := &headSub{deliver: deliver, slow: slow}
	f.mu.Lock()
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		delete(f.subs, s)
		f.mu.Unlock()
	}
}

// feedRetry is how soon the feed tries again after it could not fetch
// what it was to send, if the view has not changed by then.
const feedRetry = time.Second

// run follows the router's view until ctx ends.
func (f *headFeed) run(ctx context.Context) error {
	changed, stop := f.router.Watch()
	defer stop()
	for {
		var retry <-chan time.Time
		if !f.advance(ctx) {
			retry = time.After(feedRetry)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-retry:
		}
	}
}

// advance sends the headers after the last one sent, up to the fleet's
// head now. Each must follow from the one sent before it; when one does not
// (a reorg), the feed follows its parents back, by hash, to a block it has
// sent, and sends the new branch from there, in order. It reports false if
// it stopped short, for want of a header or of a block's logs.
func (f *headFeed) advance(ctx context.Context) bool {
	v := f.router.View()
	hash, ok := headHash(v)
	if !ok {
		return true
	}
	if !f.started {
		f.remember(v.Head, hash)
		f.started = true
		return true
	}
	if v.Head == f.last && hash == f.lastHash {
		return true
	}
	// Fetch the fleet's head by hash, then its parents until one joins
	// what was sent: that is the branch to send.
	var branch []fetchedHeader
	next := hash
	for len(branch) < maxBackfill {
		h, err := f.headerByHash(ctx, next)
		if err != nil {
			f.log.Debug("head feed: fetch header", "hash", next, "err", err)
			return false
		}
		if sent, ok := f.sent[h.number]; ok && sent == h.hash {
			break // already sent: the branch starts above it
		}
		branch = append(branch, h)
		if sent, ok := f.sent[h.number-1]; ok && sent == h.parent || h.number == 0 {
			break
		}
		if _, known := f.sent[h.number-1]; !known && h.number+maxBackfill <= f.last {
			break // older than what is remembered
		}
		next = h.parent
	}
	// A block goes out whole or not yet: its logs are fetched before its
	// header is sent, and a block whose logs could not be fetched is sent
	// on the next try.
	for i := len(branch) - 1; i >= 0; i-- {
		h := branch[i]
		logs, err := f.fetchLogs(ctx, h.number, h.hash)
		if err != nil {
			f.log.Debug("head feed: logs", "block", h.number, "err", err)
			return false
		}
		f.served.raise(h.number)
		f.publish(h.header)
		f.publishLogs(h.number, logs)
		f.remember(h.number, h.hash)
	}
	return true
}

// remember records block n as sent, forgetting blocks above it (a reorg
// to a shorter chain) and blocks too old to matter.
func (f *headFeed) remember(n uint64, hash common.Hash) {
	if f.sent == nil {
		f.sent = map[uint64]common.Hash{}
	}
	f.numbersMu.Lock()
	defer f.numbersMu.Unlock()
	if f.numbers == nil {
		f.numbers = map[common.Hash]uint64{}
	}
	for k, h := range f.sent {
		if k > n || k+maxBackfill < n {
			delete(f.sent, k)
			delete(f.numbers, h)
		}
	}
	if old, ok := f.sent[n]; ok && old != hash {
		delete(f.numbers, old) // reorged out
	}
	f.sent[n] = hash
	f.numbers[hash] = n
	f.last, f.lastHash = n, hash
}

// numberOf returns the number of a recent block of the fleet's chain.
func (f *headFeed) numberOf(hash common.Hash) (uint64, bool) {
	f.numbersMu.RLock()
	defer f.numbersMu.RUnlock()
	n, ok := f.numbers[hash]
	return n, ok
}

// headHash is the hash fit upstreams report at the fleet's head.
func headHash(v View) (common.Hash, bool) {
	for _, u := range v.Upstreams {
		if u.Fit && u.Head.Number == v.Head {
			return u.Head.Hash, true
		}
	}
	return common.Hash{}, false
}

var errNoHeader = errors.New("no fit upstream has the header")

// fetchedHeader is a header as subscribers get it, with what the feed
// needs of it.
type fetchedHeader struct {
	header       json.RawMessage
	number       uint64
	hash, parent common.Hash
}

// headerByHash fetches a header from a fit upstream that has it.
func (f *headFeed) headerByHash(ctx context.Context, hash common.Hash) (fetchedHeader, error) {
	req := &request{Method: "eth_getBlockByHash", Params: json.RawMessage(fmt.Sprintf(`[%q,false]`, hash.Hex()))}
	for _, u := range f.router.candidates() {
		results, errs, err := u.send(ctx, []*request{req})
		if err != nil || errs[0] != nil || string(results[0]) == "null" {
			continue
		}
		var block map[string]json.RawMessage
		if err := json.Unmarshal(results[0], &block); err != nil {
			continue
		}
		var fh fetchedHeader
		var number hexutil.Uint64
		if json.Unmarshal(block["hash"], &fh.hash) != nil || json.Unmarshal(block["number"], &number) != nil {
			continue
		}
		json.Unmarshal(block["parentHash"], &fh.parent)
		fh.number = uint64(number)
		// Subscribers get a header, not a block: no transactions, no
		// withdrawals list, as newHeads delivers.
		for _, k := range []string{"transactions", "uncles", "withdrawals", "size", "totalDifficulty"} {
			delete(block, k)
		}
		if fh.header, err = json.Marshal(block); err != nil {
			continue
		}
		return fh, nil
	}
	return fetchedHeader{}, errNoHeader
}

// publish hands header to every subscriber that has room, and drops the
// rest.
func (f *headFeed) publish(header json.RawMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		if !s.deliver(header) {
			delete(f.subs, s)
			go s.slow()
		}
	}
}
