package gateway

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// Coalesce bounds the messages in flight to one upstream to posts. A
// message that finds them all taken waits; when a post returns, the
// messages that waited go out together as one batch of at most
// maxCoalesced calls. A node with few cores then answers fewer, larger
// messages under load instead of queueing many small ones. Below the bound
// nothing waits and nothing is combined. posts < 1 returns conn unchanged.
//
// A node works through a batch in order, so a slow call delays the calls
// combined after it: bound only a node that would queue them anyway.
func Coalesce(conn Conn, posts int) Conn {
	if posts < 1 {
		return conn
	}
	return &coalescer{conn: conn, posts: posts}
}

// maxCoalesced is the most calls that waiting messages are combined into.
// A larger message (a client's batch) goes alone. go-ethereum accepts
// batches of up to 1,000 calls by default.
const maxCoalesced = 50

// codeResponseTooLarge is go-ethereum's answer to the calls of a batch
// left once its answers passed their size limit (25 MB by default). Those
// calls were not run, and meet the limit only because they were combined
// with others, so they are sent again alone (a transaction too: it was
// never received).
const codeResponseTooLarge = -32003

type coalescer struct {
	conn  Conn
	posts int // most messages in flight

	mu       sync.Mutex
	inFlight int
	queue    []*waiting
	waited   uint64 // messages ever queued
}

// stats returns how many messages have waited, and how many wait now.
func (c *coalescer) stats() (waited uint64, queued int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waited, len(c.queue)
}

// waiting is a message queued for the next free post, and its answer.
type waiting struct {
	ctx     context.Context
	reqs    []*request
	results []json.RawMessage
	errs    []error
	err     error
	done    chan struct{} // closed once the answer is set
}

func (c *coalescer) send(ctx context.Context, reqs []*request) ([]json.RawMessage, []error, error) {
	c.mu.Lock()
	if c.inFlight < c.posts {
		c.inFlight++
		c.mu.Unlock()
		defer c.release()
		return c.conn.send(ctx, reqs)
	}
	w := &waiting{ctx: ctx, reqs: reqs, done: make(chan struct{})}
	c.queue = append(c.queue, w)
	c.waited++
	c.mu.Unlock()
	select {
	case <-w.done:
		return w.results, w.errs, w.err
	case <-ctx.Done():
		c.mu.Lock()
		c.queue = slices.DeleteFunc(c.queue, func(q *waiting) bool { return q == w })
		c.mu.Unlock()
		return nil, nil, &transportError{err: ctx.Err()}
	}
}

// release frees a post, or hands it to a goroutine that sends what waits.
func (c *coalescer) release() {
	c.mu.Lock()
	if len(c.queue) == 0 {
		c.inFlight--
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	go c.drain()
}

// drain sends the waiting messages, combined, until none wait; then it
// frees its post.
func (c *coalescer) drain() {
	for {
		group := c.take()
		if group == nil {
			return
		}
		c.post(group)
	}
}

// take removes the oldest waiting messages that fit in one batch from the
// queue, or frees the caller's post when none wait.
func (c *coalescer) take() []*waiting {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queue = slices.DeleteFunc(c.queue, func(w *waiting) bool { return w.ctx.Err() != nil })
	if len(c.queue) == 0 {
		c.inFlight--
		return nil
	}
	n, calls := 1, len(c.queue[0].reqs)
	for n < len(c.queue) && calls+len(c.queue[n].reqs) <= maxCoalesced {
		calls += len(c.queue[n].reqs)
		n++
	}
	group := slices.Clone(c.queue[:n])
	c.queue = slices.Delete(c.queue, 0, n)
	return group
}

// post sends a group of messages as one and hands each its answers.
func (c *coalescer) post(group []*waiting) {
	if len(group) == 1 {
		w := group[0]
		w.results, w.errs, w.err = c.conn.send(w.ctx, w.reqs)
		close(w.done)
		return
	}
	ctx, cancel := groupContext(group)
	defer cancel()
	var reqs []*request
	for _, w := range group {
		reqs = append(reqs, w.reqs...)
	}
	results, errs, err := c.conn.send(ctx, reqs)
	at := 0
	for _, w := range group {
		n := len(w.reqs)
		switch {
		case err != nil:
			w.err = err
		case slices.ContainsFunc(errs[at:at+n], tooLarge):
			w.results, w.errs, w.err = c.conn.send(w.ctx, w.reqs)
		default:
			w.results, w.errs = results[at:at+n:at+n], errs[at:at+n:at+n]
		}
		at += n
		close(w.done)
	}
}

// groupContext lasts as long as the longest-lived message of the group
// may want its answer: until the latest of their deadlines, if each has
// one. A message whose context ends sooner stops waiting on its own.
func groupContext(group []*waiting) (context.Context, context.CancelFunc) {
	ctx := context.WithoutCancel(group[0].ctx)
	var latest time.Time
	for _, w := range group {
		d, ok := w.ctx.Deadline()
		if !ok {
			return context.WithCancel(ctx)
		}
		if d.After(latest) {
			latest = d
		}
	}
	return context.WithDeadline(ctx, latest)
}

func tooLarge(err error) bool { return answeredWith(err, codeResponseTooLarge) }
