package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

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

	mu      sync.Mutex
	subs    map[chan<- json.RawMessage]func() // subscriber -> called when it falls behind
	logSubs map[*logSub]struct{}

	recentLogs []blockLogs // logs sent for the newest blocks, oldest first

	last     uint64
	lastHash common.Hash
	started  bool
}

func newHeadFeed(r *Router, log *slog.Logger) *headFeed {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &headFeed{router: r, log: log, subs: map[chan<- json.RawMessage]func(){}, logSubs: map[*logSub]struct{}{}}
}

// subscribe adds ch, which receives each head's header; if ch is full when
// a head arrives, slow is called and ch is dropped.
func (f *headFeed) subscribe(ch chan<- json.RawMessage, slow func()) (unsubscribe func()) {
	f.mu.Lock()
	f.subs[ch] = slow
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		delete(f.subs, ch)
		f.mu.Unlock()
	}
}

// run follows the router's view until ctx ends.
func (f *headFeed) run(ctx context.Context) error {
	changed, stop := f.router.Watch()
	defer stop()
	for {
		f.advance(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

// advance sends the headers between the last head sent and the fleet's
// head now.
func (f *headFeed) advance(ctx context.Context) {
	v := f.router.View()
	hash, ok := headHash(v)
	if !ok {
		return
	}
	if !f.started {
		f.last, f.lastHash, f.started = v.Head, hash, true
		return
	}
	from := f.last + 1
	switch {
	case v.Head < f.last || v.Head == f.last && hash != f.lastHash:
		from = v.Head // a reorg: geth sends the new head, so do we
	case v.Head == f.last:
		return
	case v.Head-f.last > maxBackfill:
		from = v.Head - maxBackfill + 1
	}
	for n := from; n <= v.Head; n++ {
		header, h, err := f.header(ctx, n)
		if err != nil {
			f.log.Debug("head feed: fetch header", "number", n, "err", err)
			return // the next view change tries again from here
		}
		f.publish(header)
		f.publishLogs(ctx, n, h)
		f.last, f.lastHash = n, h
	}
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

// header fetches header n from a fit upstream that has it.
func (f *headFeed) header(ctx context.Context, n uint64) (json.RawMessage, common.Hash, error) {
	req := &request{Method: "eth_getBlockByNumber", Params: json.RawMessage(fmt.Sprintf(`["%s",false]`, hexutil.EncodeUint64(n)))}
	for _, u := range f.router.candidates() {
		results, errs, err := u.send(ctx, []*request{req})
		if err != nil || errs[0] != nil || string(results[0]) == "null" {
			continue
		}
		var block map[string]json.RawMessage
		if err := json.Unmarshal(results[0], &block); err != nil {
			continue
		}
		var h common.Hash
		if err := json.Unmarshal(block["hash"], &h); err != nil {
			continue
		}
		// Subscribers get a header, not a block: no transactions, no
		// withdrawals list, as newHeads delivers.
		for _, k := range []string{"transactions", "uncles", "withdrawals", "size", "totalDifficulty"} {
			delete(block, k)
		}
		header, err := json.Marshal(block)
		return header, h, err
	}
	return nil, common.Hash{}, errNoHeader
}

// publish hands header to every subscriber that has room, and drops the
// rest.
func (f *headFeed) publish(header json.RawMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch, slow := range f.subs {
		select {
		case ch <- header:
		default:
			delete(f.subs, ch)
			go slow()
		}
	}
}
