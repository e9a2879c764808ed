package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/latest"
	"github.com/ethfleet/ethfleet/internal/probe"
)

// Router decides which upstreams are fit to serve and in what order to try
// them. Its view is rebuilt whenever a probe reports a change, so choosing
// an upstream for a request reads one pointer.
type Router struct {
	upstreams []*Upstream
	fallbacks []*Upstream
	cfg       RouterConfig
	log       *slog.Logger
	metrics   *routerMetrics
	view      atomic.Pointer[View]
	mu        sync.Mutex // serialises refresh
	clock     headClock
	changes   latest.Value[uint64] // counts view rebuilds, for watchers
	next      atomic.Uint64        // round-robin start among fit upstreams
}

// View is the router's picture of the fleet at one moment.
type View struct {
	// Head is the fleet's head: the highest head among upstreams that
	// answer and do not sync.
	Head uint64 `json:"head"`
	// Finalized is the highest finalized block a fit upstream reports,
	// never above Head; 0 where the chain has no finality.
	Finalized uint64          `json:"finalized"`
	Fit       int             `json:"fit"`
	Upstreams []UpstreamState `json:"nodes"`
}

// UpstreamState is one upstream as the router judges it.
type UpstreamState struct {
	probe.Status
	Fit bool `json:"fit"`
	// Reason says why the upstream is unfit.
	Reason string `json:"reason,omitempty"`
	// Lag is how many blocks the upstream trails the fleet's head.
	Lag uint64 `json:"lag"`
	// Requests and Failures count what the gateway sent it over the last
	// 10 s, and how much of that failed in transport.
	Requests int `json:"requests"`
	Failures int `json:"failures"`
}

// RouterConfig says what makes an upstream fit.
type RouterConfig struct {
	// MaxLag is how many blocks an upstream may trail the fleet's head.
	MaxLag uint64
	// ChainID, when not zero, is the only chain upstreams may be on.
	ChainID uint64
	// OutlierGap is how far above the median head a head may be and
	// still be believed (0: any).
	OutlierGap uint64
	// MinPeers is the fewest devp2p peers a fit node may have.
	MinPeers uint64
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// rejudgeEvery is how often the router looks again without news from the
// probes, to catch a node that has gone quiet.
const rejudgeEvery = 100 * time.Millisecond

// NewRouter returns a router over the fleet's own upstreams, falling back
// to references (made with NewReference) only when none is fit, with its
// metrics registered on reg. It starts nothing.
func NewRouter(upstreams, references []*Upstream, cfg RouterConfig, log *slog.Logger, reg prometheus.Registerer) (*Router, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Router{upstreams: upstreams, fallbacks: references, cfg: cfg, log: log}
	r.refresh()
	m, err := newRouterMetrics(reg, r)
	if err != nil {
		return nil, fmt.Errorf("gateway: router metrics: %w", err)
	}
	r.metrics = m
	return r, nil
}

// Run rebuilds the view on every probe change until ctx ends.
func (r *Router) Run(ctx context.Context) error {
	changed := make(chan struct{}, 1)
	for _, u := range r.upstreams {
		ch, stop := u.probe.Watch()
		defer stop()
		go relay(ctx, ch, changed)
	}
	tick := time.NewTicker(rejudgeEvery)
	defer tick.Stop()
	for {
		r.refresh()
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-tick.C:
		}
	}
}

// relay passes notifications from one probe on to the router's single
// channel, coalescing them as they go, until ctx ends.
func relay(ctx context.Context, from <-chan struct{}, to chan<- struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-from:
			select {
			case to <- struct{}{}:
			default: // the router has a change pending already
			}
		}
	}
}

// Watch returns a channel told of every change of the view, and a
// function that stops the watch.
func (r *Router) Watch() (<-chan struct{}, func()) { return r.changes.Watch() }

// View returns the router's current view.
func (r *Router) View() View { return *r.view.Load() }

// refresh rebuilds the view from the probes' statuses and logs every
// upstream whose fitness changed.
func (r *Router) refresh() {
	r.mu.Lock()
	defer r.mu.Unlock()
	statuses := make([]probe.Status, len(r.upstreams))
	for i, u := range r.upstreams {
		statuses[i] = u.probe.Status()
		u.observeProbe(statuses[i].Latency.Duration())
	}
	v := judge(statuses, r.cfg)
	now := r.cfg.Now()
	r.clock.observe(v.Head, now)
	r.clock.markStalled(&v, now)
	markFailing(&v, r.upstreams, now)
	markDraining(&v, r.upstreams)
	old := r.view.Swap(&v)
	r.changes.Set(r.changes.Get() + 1)
	if old != nil {
		for i, s := range v.Upstreams {
			if old.Upstreams[i].Fit != s.Fit {
				r.log.Info("upstream fitness changed", "upstream", s.Name, "fit", s.Fit, "reason", s.Reason, "head", s.Head.Number, "fleetHead", v.Head)
			}
		}
	}
}

// judge decides each upstream's fitness: it must answer, be on the
// configured chain, not sync, and trail the fleet's head by at most maxLag blocks. A node that syncs towards
// a target within maxLag of its head is importing the newest blocks, as a
// node driven by its consensus client does for a moment at every block; it
// is judged by its lag like the rest.
func judge(statuses []probe.Status, cfg RouterConfig) View {
	maxLag := cfg.MaxLag
	onChain := func(s probe.Status) bool { return cfg.ChainID == 0 || s.ChainID == cfg.ChainID }
	var heads []uint64
	for _, s := range statuses {
		if s.Up && onChain(s) && !syncingBehind(s, maxLag) && !s.HeadSeen.IsZero() {
			heads = append(heads, s.Head.Number)
		}
	}
	v := View{Head: probe.AgreedHead(heads, cfg.OutlierGap)}
	v.Upstreams = make([]UpstreamState, len(statuses))
	for i, s := range statuses {
		st := UpstreamState{Status: s}
		if s.Head.Number < v.Head {
			st.Lag = v.Head - s.Head.Number
		}
		switch {
		case !s.Up:
			st.Reason = "unreachable: " + s.Err
		case !onChain(s):
			st.Reason = fmt.Sprintf("on chain %d, not %d", s.ChainID, cfg.ChainID)
		case syncingBehind(s, maxLag):
			st.Reason = "syncing"
			if s.SyncTarget > 0 {
				st.Reason = fmt.Sprintf("syncing to block %d", s.SyncTarget)
			}
		case s.HeadSeen.IsZero():
			st.Reason = "no head seen yet"
		case s.Peers < cfg.MinPeers:
			st.Reason = fmt.Sprintf("%d peers, fewer than %d", s.Peers, cfg.MinPeers)
		case cfg.OutlierGap > 0 && s.Head.Number > v.Head+cfg.OutlierGap:
			st.Reason = fmt.Sprintf("head %d is far above the fleet's %d: not believed", s.Head.Number, v.Head)
		case st.Lag > maxLag:
			st.Reason = fmt.Sprintf("%d blocks behind the fleet", st.Lag)
		default:
			st.Fit = true
			v.Fit++
			v.Finalized = min(max(v.Finalized, s.Finalized), v.Head)
		}
		v.Upstreams[i] = st
	}
	return v
}

// candidatesFor returns the candidates that have what the calls need (their
// head has reached the newest block named, and they still keep the oldest),
// in the same order; or every candidate when none has: then the answer
// ("no such block", "missing trie node") is the same everywhere.
func (r *Router) candidatesFor(needs []need) []*Upstream {
	all := r.candidates()
	if len(needs) == 0 || len(all) > 0 && all[0].reference {
		return all
	}
	have := make([]*Upstream, 0, len(all))
	for _, u := range all {
		s := u.probe.Status()
		if servesAll(s, needs) {
			have = append(have, u)
		}
	}
	if len(have) == 0 {
		return all
	}
	return have
}

// servesAll reports whether a node in status s has everything needs asks.
func servesAll(s probe.Status, needs []need) bool {
	for _, n := range needs {
		if s.Head.Number < n.newest {
			return false
		}
		if n.keeps && s.History.Known && !retention(s.History, n.data).Serves(n.oldest, s.Head.Number) {
			return false
		}
	}
	return true
}

// retention is how far back a node keeps one kind of data.
func retention(h probe.History, data resource) probe.Retention {
	switch data {
	case stateData:
		return h.State
	case proofData:
		return h.StateProofs
	case receiptData:
		return h.Receipts
	case logData:
		return h.Logs
	default:
		return h.Blocks
	}
}

// syncingBehind reports whether a node syncs towards a block more than
// maxLag above its head, or towards a block it does not name.
func syncingBehind(s probe.Status, maxLag uint64) bool {
	return s.Syncing && (s.SyncTarget == 0 || s.SyncTarget > s.Head.Number+maxLag)
}

// Drain takes the named upstream out of rotation (on) or lets it back
// (off): while drained it is unfit, whatever its probe says, so that it can
// be stopped without a request failing. It reports whether the name is
// known.
func (r *Router) Drain(name string, on bool) bool {
	for _, u := range r.upstreams {
		if u.name == name {
			u.draining.Store(on)
			r.refresh()
			return true
		}
	}
	return false
}

// markDraining makes every drained upstream unfit.
func markDraining(v *View, upstreams []*Upstream) {
	for i := range v.Upstreams {
		if s := &v.Upstreams[i]; s.Fit && upstreams[i].draining.Load() {
			s.Fit = false
			s.Reason = "out of rotation (drained)"
			v.Fit--
		}
	}
}

// Idle reports whether the named upstream has no request in flight.
func (r *Router) Idle(name string) bool {
	for _, u := range r.upstreams {
		if u.name == name {
			return u.inflight.Load() == 0
		}
	}
	return true
}

// isFit reports whether u is fit now.
func (r *Router) isFit(u *Upstream) bool {
	v := r.view.Load()
	for i, s := range v.Upstreams {
		if r.upstreams[i] == u {
			return s.Fit
		}
	}
	return false
}

// candidates returns the fit upstreams in the order to try them. The
// first is the less loaded of two picked at random (the "power of two
// choices", which spreads load nearly as well as always taking the least
// loaded, without herding every request onto one node); the others follow
// in turn from a rotating start, as fallbacks.
func (r *Router) candidates() []*Upstream {
	v := r.view.Load()
	fit := make([]*Upstream, 0, v.Fit)
	for i, s := range v.Upstreams {
		if s.Fit {
			fit = append(fit, r.upstreams[i])
		}
	}
	n := len(fit)
	if n == 0 {
		return r.fallbacks
	}
	if n == 1 {
		return fit
	}
	start := int(r.next.Add(1) % uint64(n))
	fit = append(fit[start:], fit[:start]...)
	i, j := rand.IntN(n), rand.IntN(n-1)
	if j >= i {
		j++
	}
	if fit[j].load() < fit[i].load() {
		i = j
	}
	fit[0], fit[i] = fit[i], fit[0]
	return fit
}
