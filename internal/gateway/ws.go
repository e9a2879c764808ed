package gateway

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/gorilla/websocket"
)

// Limits on one WebSocket connection.
const (
	wsQueue            = 256 // messages waiting to be written; more and the client is too slow
	wsMaxInFlight      = 16  // calls of one connection being answered at once
	wsMaxSubscriptions = 64
	wsWriteTimeout     = 10 * time.Second
	wsPingEvery        = 30 * time.Second
)

// subscriptions is what a transport that can push offers exchange.
type subscriptions interface {
	// subscribe starts a subscription whose events wait for the answer
	// to the message ctx is for to be queued (see onReply).
	subscribe(ctx context.Context, params json.RawMessage) (id string, err error)
	unsubscribe(id string) bool
}

// subscriptionCalls answers eth_subscribe and eth_unsubscribe from subs;
// over HTTP (subs nil) there is nothing to push to.
func (s *Server) subscriptionCalls(ctx context.Context, calls []call, subs subscriptions) {
	for i := range calls {
		c := &calls[i]
		if c.answer != nil || c.req.Method != "eth_subscribe" && c.req.Method != "eth_unsubscribe" {
			continue
		}
		id := idOrNull(c.req.ID)
		var r response
		switch {
		case subs == nil:
			r = errorResponse(id, codeMethodNotFound, "notifications not supported: subscribe over a WebSocket")
		case c.req.Method == "eth_subscribe":
			subID, err := subs.subscribe(ctx, c.req.Params)
			if err != nil {
				r = errorResponse(id, codeInvalidParams, "%v", err)
			} else {
				r = response{JSONRPC: "2.0", ID: id, Result: json.RawMessage(`"` + subID + `"`)}
			}
		default:
			var ids []string
			ok := json.Unmarshal(c.req.Params, &ids) == nil && len(ids) == 1 && subs.unsubscribe(ids[0])
			r = response{JSONRPC: "2.0", ID: id, Result: json.RawMessage(fmt.Sprint(ok))}
		}
		c.answer = &r
	}
}

// serveWS upgrades r and serves JSON-RPC over the connection until either
// side closes it.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	key, ok := s.identify(w, r)
	if !ok {
		return
	}
	// gorilla does the handshake, in the buffers net/http hijacked (no
	// sizes given); its connection is left unused after (see ws_reader.go
	// and ws_writer.go).
	upgrader := websocket.Upgrader{CheckOrigin: s.originAllowed}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	raw := conn.NetConn()
	// The request's context ends with this handler; the connection's
	// with close.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	_, isTLS := raw.(*tls.Conn)
	c := &wsConn{
		s: s, raw: raw, tls: isTLS, in: newWSReader(raw, s.cfg.MaxBodyBytes), key: key, ip: clientIP(r),
		ctx: ctx, cancel: cancel, inFlight: make(chan struct{}, wsMaxInFlight),
		done: make(chan struct{}), wlock: make(chan struct{}, 1), subs: map[string]func(){},
	}
	s.metrics.wsConns.Inc()
	s.conns.Store(c, struct{}{}) // from here on, shutting down closes it
	if p := s.poller.Load(); p != nil && p.watch(c) {
		return // the poller sends a goroutine when the client writes
	}
	// A goroutine of its own, with a fresh small stack, reads the
	// connection: the handler's goroutine, its stack grown by the HTTP
	// exchange, ends here.
	go c.serve()
}

// originAllowed lets clients without an Origin (every non-browser client)
// and browsers from the CORS origins connect.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin == "" || slices.Contains(s.cfg.CORSOrigins, "*") || slices.Contains(s.cfg.CORSOrigins, origin)
}

// wsConn is one client's WebSocket connection. While idle it has no
// goroutine where the poller watches it (ws_poll_linux.go), else one, the
// reader; see ws_writer.go for the writes.
type wsConn struct {
	s       *Server
	raw     net.Conn
	in      *wsReader
	key, ip string
	pollID  uint64     // the poller's name for it; 0: not polled
	readMu  sync.Mutex // held by readable

	ctx      context.Context // ends with the connection
	cancel   context.CancelFunc
	inFlight chan struct{} // calls being answered

	done      chan struct{}
	closeOnce sync.Once
	wlock     chan struct{} // held while writing to raw
	tls       bool          // raw is TLS: a write cut short by a deadline leaves it unusable
	broken    bool          // a write to raw failed midway (guarded by wlock)

	qmu       sync.Mutex
	queue     []frame // waiting to be written
	scheduled bool    // a writer is on the way or writing
	closed    bool

	mu   sync.Mutex
	subs map[string]func() // subscription id -> unsubscribe
}

// serve reads the client's messages, waiting for each on its own
// goroutine, until the connection closes.
func (c *wsConn) serve() {
	for {
		msg, err := c.nextMessage(true)
		if err != nil || !c.handle(msg) {
			return
		}
	}
}

// readable reads the messages the client has sent, when the poller found
// its socket readable, then has the poller watch it again.
func (c *wsConn) readable() {
	// The next event comes only after rearm, and its goroutine reads on:
	// the lock says so to the race detector, which cannot see epoll.
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for {
		msg, err := c.nextMessage(false)
		if errors.Is(err, errWouldBlock) {
			if p := c.s.poller.Load(); p == nil || p.rearm(c) != nil {
				c.close(websocket.CloseAbnormalClosure, "") // closed, or the gateway stopping
			}
			return
		}
		if err != nil || !c.handle(msg) {
			return
		}
	}
}

// handle answers msg on a goroutine of its own, once fewer than
// wsMaxInFlight calls of the connection are being answered; false if the
// connection closed first.
func (c *wsConn) handle(msg []byte) bool {
	select {
	case c.inFlight <- struct{}{}:
	case <-c.done:
		return false
	}
	go func() {
		defer func() { <-c.inFlight }()
		ctx, cancel := context.WithTimeout(c.ctx, c.s.cfg.RequestTimeout)
		defer cancel()
		var after afterReply
		if reply, _, _ := c.s.exchange(withAfterReply(ctx, &after), msg, c.key, c.ip, c); reply != nil {
			c.send(reply)
		}
		after.run() // the subscriptions it answered with may send now
	}()
	return true
}

// nextMessage returns the client's next message, answering the control
// frames before it. Without wait, it returns errWouldBlock once the socket
// has nothing more. Any other error means the connection is closed.
func (c *wsConn) nextMessage(wait bool) ([]byte, error) {
	for {
		op, payload, err := c.in.next(wait)
		var pe *wsProtocolError
		switch {
		case errors.Is(err, errWouldBlock):
			return nil, err
		case errors.As(err, &pe):
			c.close(pe.code, pe.reason)
			return nil, err
		case err != nil:
			c.close(websocket.CloseAbnormalClosure, "") // gone: nobody to tell
			return nil, err
		case op == opClose:
			c.close(websocket.CloseNormalClosure, "")
			return nil, net.ErrClosed
		case op == opPing:
			c.enqueue(frame{op: opPong, parts: [][]byte{payload}})
		case op != opPong:
			return payload, nil
		}
	}
}

// send queues an encoded reply for the client, closing the connection if
// the client has let its queue fill.
func (c *wsConn) send(parts net.Buffers) {
	if !c.enqueue(frame{op: opText, parts: parts}) {
		c.tooSlow()
	}
}

func (c *wsConn) tooSlow() {
	c.s.metrics.rejections.WithLabelValues("slow_client").Inc()
	// Not on the caller's goroutine, a feed's: the close frame may wait.
	go c.closeWithin(websocket.ClosePolicyViolation, "client too slow: messages queued beyond the limit", wsWriteTimeout)
}

// subscribe starts a subscription owned by the gateway: newHeads, logs
// with a filter, or newPendingTransactions (hashes, or whole transactions
// when the second parameter is true).
func (c *wsConn) subscribe(ctx context.Context, params json.RawMessage) (string, error) {
	var args []json.RawMessage
	if err := json.Unmarshal(params, &args); err != nil || len(args) == 0 {
		return "", fmt.Errorf("eth_subscribe takes the subscription type first")
	}
	var kind string
	json.Unmarshal(args[0], &kind)
	var raw [16]byte
	rand.Read(raw[:])
	id := hexutil.Encode(raw[:])
	// Events go straight onto the connection's queue, wrapped for this
	// subscription: no goroutine or queue per subscription.
	head := []byte(notificationHead + id + notificationMid)
	gate := &subGate{slow: c.tooSlow, deliver: func(e json.RawMessage) bool {
		return c.enqueue(frame{op: opText, parts: [][]byte{head, e, notificationTail}})
	}}
	deliver := gate.sink
	var start func() (stop func())
	switch kind {
	case "newHeads":
		start = func() func() { return c.s.heads.subscribe(deliver, c.tooSlow) }
	case "logs":
		var filterArg json.RawMessage
		if len(args) > 1 {
			filterArg = args[1]
		}
		filter, err := parseLogFilter(filterArg)
		if err != nil {
			return "", err
		}
		start = func() func() { return c.s.heads.subscribeLogs(filter, deliver, c.tooSlow) }
	case "newPendingTransactions":
		full := len(args) > 1 && string(args[1]) == "true"
		start = func() func() { return c.s.pending.subscribe(full, deliver, c.tooSlow) }
	default:
		return "", fmt.Errorf("unsupported subscription %s: this gateway serves newHeads, logs and newPendingTransactions", args[0])
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// close marks the connection closed before end takes c.mu to drop
	// its subscriptions: one added after the mark would outlive it.
	c.qmu.Lock()
	closed := c.closed
	c.qmu.Unlock()
	if closed {
		return "", errors.New("the connection is closing")
	}
	if len(c.subs) >= wsMaxSubscriptions {
		return "", fmt.Errorf("too many subscriptions on this connection (limit %d)", wsMaxSubscriptions)
	}
	c.subs[id] = start()
	c.s.metrics.wsSubs.Inc()
	onReply(ctx, gate.release)
	return id, nil
}

// The parts of an eth_subscription message around its subscription id and
// event: the event's bytes are shared by every subscriber.
const (
	notificationHead = `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"`
	notificationMid  = `","result":`
)

var notificationTail = []byte(`}}`)

// pingAll asks every connection to send a keep-alive ping, every
// wsPingEvery, until ctx ends: one timer for all connections.
func (s *Server) pingAll(ctx context.Context) {
	t := time.NewTicker(wsPingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.conns.Range(func(k, _ any) bool {
				k.(*wsConn).enqueue(frame{op: opPing}) // a full queue is a ping enough
				return true
			})
		}
	}
}

func (c *wsConn) unsubscribe(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	stop, ok := c.subs[id]
	if ok {
		stop()
		delete(c.subs, id)
		c.s.metrics.wsSubs.Dec()
	}
	return ok
}

// end lets go of what the connection holds, once it is closed: its
// subscriptions, its calls in flight, its place in the poller.
func (c *wsConn) end() {
	c.cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, stop := range c.subs {
		stop()
		delete(c.subs, id)
		c.s.metrics.wsSubs.Dec()
	}
	c.s.conns.Delete(c)
	c.s.metrics.wsConns.Dec()
	if p := c.s.poller.Load(); p != nil {
		p.forget(c)
	}
}
