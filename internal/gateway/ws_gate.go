package gateway

import (
	"context"
	"encoding/json"
	"sync"
)

// A subscription is live from the moment eth_subscribe makes it, so that
// no event after it is missed, but its events must not reach the client
// before the answer that names it: a client drops a notification for a
// subscription id it does not know yet (go-ethereum's client does). So
// they are held at a gate until the answer is queued, as go-ethereum's
// own server holds them until its Notifier is activated.

// subGate holds a subscription's events until it opens, then lets them
// through to deliver, the held ones first.
type subGate struct {
	deliver sink
	slow    func()

	mu   sync.Mutex
	open bool
	held []json.RawMessage
}

// sink takes one event: delivered if the gate is open, held if not. It
// reports false, as a sink does, when there is no room for it.
func (g *subGate) sink(e json.RawMessage) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open {
		return g.deliver(e)
	}
	if len(g.held) >= wsQueue {
		return false
	}
	g.held = append(g.held, e)
	return true
}

// release delivers the held events and opens the gate.
func (g *subGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range g.held {
		if !g.deliver(e) {
			g.slow()
			break
		}
	}
	g.held, g.open = nil, true
}

// afterReply collects what is to run once a message's answer is queued.
type afterReply struct {
	mu  sync.Mutex
	fns []func()
}

type afterReplyKey struct{}

// withAfterReply returns a context that carries a, for onReply.
func withAfterReply(ctx context.Context, a *afterReply) context.Context {
	return context.WithValue(ctx, afterReplyKey{}, a)
}

// onReply runs fn once the answer to the message ctx is for is queued;
// at once if ctx does not say when that is.
func onReply(ctx context.Context, fn func()) {
	a, ok := ctx.Value(afterReplyKey{}).(*afterReply)
	if !ok {
		fn()
		return
	}
	a.mu.Lock()
	a.fns = append(a.fns, fn)
	a.mu.Unlock()
}

// run runs what was collected, in order.
func (a *afterReply) run() {
	a.mu.Lock()
	fns := a.fns
	a.fns = nil
	a.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
