package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ethfleet/ethfleet/internal/probe"
)

// StatusSource is what the router needs of a node's probe: its newest
// status, and word when it changes. *probe.Probe is one.
type StatusSource interface {
	Status() probe.Status
	Watch() (changed <-chan struct{}, stop func())
}

// Upstream is one node the gateway forwards to, with the probe that judges
// it.
type Upstream struct {
	name      string
	conn      Conn
	ws        string // WebSocket URL, for the gateway's own subscriptions
	probe     StatusSource
	reference bool // an outside provider, used only when no node is fit

	inflight atomic.Int64
	latency  atomic.Uint64 // EWMA of round trips in seconds, as float64 bits
	observed atomic.Int64  // when latency last changed, in Unix nanoseconds
	failures failureWindow
	draining atomic.Bool // leaving rotation, for a snapshot say
}

// Load estimation.
const (
	// ewmaWeight is the weight of the newest round trip in the average.
	ewmaWeight = 0.2
	// failurePenalty is the round trip a transport failure counts as, so
	// that a node failing fast does not look fast.
	failurePenalty = time.Second
)

// load is the cost of sending one more call to u: its recent round trip
// times the calls it has in flight, plus one.
func (u *Upstream) load() float64 {
	return math.Float64frombits(u.latency.Load()) * float64(u.inflight.Load()+1)
}

// observe folds one round trip into u's average.
func (u *Upstream) observe(d time.Duration) {
	u.observed.Store(time.Now().UnixNano())
	for {
		old := u.latency.Load()
		avg := math.Float64frombits(old)
		if avg == 0 {
			avg = d.Seconds()
		} else {
			avg += ewmaWeight * (d.Seconds() - avg)
		}
		if u.latency.CompareAndSwap(old, math.Float64bits(avg)) {
			return
		}
	}
}

// idleAfter is how long an upstream may go without a request before its
// probe's round trips count as its latency: one penalised for a failure,
// and left alone since, is tried again once its probe finds it quick.
const idleAfter = time.Second

// observeProbe folds the probe's round trip d into u's average if u has
// had no request for idleAfter.
func (u *Upstream) observeProbe(d time.Duration) {
	if d > 0 && time.Since(time.Unix(0, u.observed.Load())) >= idleAfter {
		u.observe(d)
	}
}

// NewUpstream pairs the connection to a node with its probe.
func NewUpstream(name string, conn Conn, p StatusSource) *Upstream {
	return &Upstream{name: name, conn: conn, probe: p}
}

// WithWebSocket gives u the WebSocket URL the gateway subscribes to its
// pending transactions on. Call it before the gateway runs.
func (u *Upstream) WithWebSocket(url string) *Upstream {
	u.ws = url
	return u
}

// NewReference returns an outside provider (Infura, say) as an upstream of
// last resort: the router offers it only when no node of the fleet is fit.
func NewReference(name string, conn Conn) *Upstream {
	return &Upstream{name: name, conn: conn, reference: true}
}

// Name is the upstream's name.
func (u *Upstream) Name() string { return u.name }

// transportError is a failure to get an answer from an upstream at all:
// refused connection, reset, timeout, or an HTTP status other than 200.
// The same call may be tried on another upstream.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// limited reports whether err is an upstream's answer that it is over a
// limit: an answer another upstream may give better, and a failure.
func limited(err error) bool { return answeredWith(err, codeLimitExceeded) }

// answeredWith reports whether err is an upstream's JSON-RPC error answer
// with the given code.
func answeredWith(err error, code int) bool {
	var rpcErr rpc.Error
	return errors.As(err, &rpcErr) && rpcErr.ErrorCode() == code
}

// isAnswer reports whether err is the upstream's JSON-RPC error answer,
// which belongs to the client, rather than a failure to answer.
func isAnswer(err error) bool {
	var rpcErr rpc.Error
	return errors.As(err, &rpcErr)
}

// send forwards calls, as a single call when there is one and as one
// batch otherwise. It fills results and per-call errors (JSON-RPC error
// answers, as rpc.Error) by position, and returns a *transportError when
// the upstream delivered no answer at all.
func (u *Upstream) send(ctx context.Context, reqs []*request) (results []json.RawMessage, errs []error, err error) {
	u.inflight.Add(1)
	start := time.Now()
	defer func() {
		u.inflight.Add(-1)
		// A request the client gave up on says nothing of the upstream,
		// nor of its round trip; one past its deadline took the upstream
		// that long at least.
		if ctx.Err() == nil {
			u.failures.record(start, err != nil || slices.ContainsFunc(errs, limited))
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			return
		}
		if err != nil {
			u.observe(max(time.Since(start), failurePenalty))
		} else {
			u.observe(time.Since(start))
		}
	}()
	return u.conn.send(ctx, reqs)
}
