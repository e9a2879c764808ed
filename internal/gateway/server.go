package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
)

// Config bounds what one client request may ask of the gateway and who may
// ask it.
type Config struct {
	MaxBatch       int
	MaxBodyBytes   int64
	RequestTimeout time.Duration
	// Policy says which methods clients may call.
	Policy Policy
	// Keys, if any, are required of every client.
	Keys []APIKey
	// Limits bound how much each key and each client IP may ask.
	Limits RateLimits
	// BroadcastWrites sends eth_sendRawTransaction to every fit upstream
	// at once instead of to one.
	BroadcastWrites bool
	// CORSOrigins may call from browsers, over HTTP and WebSocket.
	CORSOrigins []string
	// CacheBytes bounds the cache of answers that cannot change (0: no
	// cache).
	CacheBytes int64
	// MergeInFlight answers identical reads in flight at the same moment
	// from one upstream fetch.
	MergeInFlight bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server answers JSON-RPC over HTTP from the router's fit upstreams.
type Server struct {
	cfg      Config
	heads    *headFeed
	pending  *pendingFeed
	conns    sync.Map                 // open *wsConn
	poller   atomic.Pointer[wsPoller] // while Run runs, where the system has one
	writers  writerPool
	served   watermark
	filters  filterTable
	cache    *cache
	inflight singleflight.Group
	router   *Router
	keys     *Keys
	limiter  *limiter
	log      *slog.Logger
	metrics  *serverMetrics
}

// NewServer returns an HTTP handler serving from router, with its metrics
// registered on reg. It starts nothing.
func NewServer(cfg Config, router *Router, log *slog.Logger, reg prometheus.Registerer) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m, err := newServerMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("gateway: server metrics: %w", err)
	}
	s := &Server{
		cfg:     cfg,
		pending: newPendingFeed(router, log),
		cache:   newCache(cfg.CacheBytes),
		router:  router,
		keys:    NewKeys(cfg.Keys),
		limiter: newLimiter(cfg.Limits, cfg.Now),
		log:     log,
		metrics: m,
	}
	// A head sent on newHeads is one eth_blockNumber never answers below.
	s.heads = newHeadFeed(router, log, &s.served)
	return s, nil
}

// Run keeps the gateway's own feeds (new heads, pending transactions)
// going until ctx ends, then closes every WebSocket connection, which the
// HTTP server's shutdown does not reach.
func (s *Server) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	p, perr := newWSPoller()
	if perr != nil {
		s.log.Warn("every WebSocket connection gets a reader goroutine", "reason", perr)
	} else {
		s.poller.Store(p)
		go p.run()
	}
	wg.Go(func() { s.pending.run(ctx) })
	wg.Go(func() { s.pingAll(ctx) })
	err := s.heads.run(ctx)
	wg.Wait()
	s.conns.Range(func(k, _ any) bool {
		k.(*wsConn).close(websocket.CloseGoingAway, "gateway shutting down")
		return true
	})
	if p != nil {
		s.poller.Store(nil)
		p.stop()
	}
	return err
}

// ServeHTTP answers one HTTP request, a single JSON-RPC call or a batch, or
// upgrades it to a WebSocket connection.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) {
		s.serveWS(w, r)
		return
	}
	start := time.Now()
	defer func() { s.metrics.duration.Observe(time.Since(start).Seconds()) }()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "JSON-RPC requests are POSTed, or sent over a WebSocket", http.StatusMethodNotAllowed)
		return
	}
	key, ok := s.identify(w, r)
	if !ok {
		return
	}
	body, err := readBody(w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.reject(w, http.StatusRequestEntityTooLarge, "too_large", errorResponse(nil, codeInvalidRequest, "request body exceeds %d bytes", tooBig.Limit))
		}
		return // otherwise the client went away mid-body
	}
	// Calls that go upstream get the request timeout there; answers from
	// the cache or the gateway itself need none.
	reply, status, retryAfter := s.exchange(r.Context(), body, key, clientIP(r), nil)
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	}
	if reply == nil {
		w.WriteHeader(status) // notifications only: nothing to say
		return
	}
	writeJSON(w, status, reply)
}

// readBody reads a request body of at most limit bytes, in one
// allocation when the client said how long it is (net/http then reads no
// further than that).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if n := r.ContentLength; n >= 0 && n <= limit {
		b := make([]byte, n)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}

// identify checks the request's API key, answering 401 itself when it
// has none that the gateway knows.
func (s *Server) identify(w http.ResponseWriter, r *http.Request) (string, bool) {
	key, err := s.keys.Identify(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", "Bearer")
		s.reject(w, http.StatusUnauthorized, "unauthorized", errorResponse(nil, codeUnauthorized, "%v", err))
		return "", false
	}
	return key, true
}

// exchange processes one JSON-RPC message, whatever the transport: parse,
// policy, subscriptions (subs is nil over HTTP), rate limit, forward. It
// returns the reply (nil when only notifications came), the HTTP status
// it deserves, and how long a rate-limited client should wait.
func (s *Server) exchange(ctx context.Context, body []byte, key, ip string, subs subscriptions) (net.Buffers, int, time.Duration) {
	calls, batch, fail := parseBody(body, s.cfg.MaxBatch)
	if fail != nil {
		s.metrics.rejections.WithLabelValues("invalid").Inc()
		return encodeReply([]response{*fail}, false), http.StatusOK, 0
	}
	s.applyPolicy(calls)
	if ok, wait := s.limiter.allow(key, ip, s.limiter.cost(calls)); !ok {
		s.metrics.rejections.WithLabelValues("rate_limit").Inc()
		msg := "rate limit exceeded: the request costs more than the limit allows at once; send fewer calls"
		if wait >= 0 {
			msg = fmt.Sprintf("rate limit exceeded: retry after %ds", int(math.Ceil(wait.Seconds())))
		}
		// Every call gets the refusal under its own id, a batch as an
		// array: over a WebSocket there is no 429 to go by, and a client
		// waits for each id it sent.
		var answers []response
		for _, c := range calls {
			if c.answered() {
				answers = append(answers, errorResponse(idOrNull(c.req.ID), codeLimitExceeded, "%s", msg))
			}
		}
		var reply net.Buffers
		if len(answers) > 0 {
			reply = encodeReply(answers, batch)
		}
		return reply, http.StatusTooManyRequests, max(wait, 0)
	}
	s.subscriptionCalls(ctx, calls, subs)
	s.forward(ctx, calls, key)
	s.keepMonotonic(calls)
	answers := make([]response, 0, len(calls))
	for _, c := range calls {
		s.metrics.calls.WithLabelValues(methodLabel(c.req.Method), result(c.answer)).Inc()
		if c.answered() {
			answers = append(answers, *c.answer)
		}
	}
	if len(answers) == 0 {
		return nil, http.StatusOK, 0
	}
	return encodeReply(answers, batch), http.StatusOK, 0
}

// applyPolicy answers the calls the policy refuses.
func (s *Server) applyPolicy(calls []call) {
	for i := range calls {
		c := &calls[i]
		if c.answer != nil {
			continue
		}
		if !s.cfg.Policy.Allows(c.req.Method) {
			s.metrics.rejections.WithLabelValues("policy").Inc()
			r := errorResponse(idOrNull(c.req.ID), codeMethodNotFound, "the method %s is not available on this gateway", c.req.Method)
			c.answer = &r
		}
	}
}

// reject answers a request the gateway refuses as a whole.
func (s *Server) reject(w http.ResponseWriter, status int, reason string, r response) {
	s.metrics.rejections.WithLabelValues(reason).Inc()
	writeJSON(w, status, encodeReply([]response{r}, false))
}

// clientIP is the address the request came from. Headers such as
// X-Forwarded-For are not trusted.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// result labels a call's outcome for metrics.
func result(r *response) string {
	switch {
	case r.Error == nil:
		return "ok"
	case r.Error.Code == codeInvalidRequest || r.Error.Code == codeInvalidParams || r.Error.Code == codeParseError:
		return "invalid"
	case r.Error.Code == codeUnavailable:
		return "unavailable"
	default:
		return "error"
	}
}

// writeJSON writes an encoded reply with its length, joined into one
// write: net/http passes a write larger than its buffer straight to the
// socket, so parts written one by one would cost a syscall each.
func writeJSON(w http.ResponseWriter, status int, parts net.Buffers) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	n := size(parts)
	h["Content-Length"] = []string{strconv.Itoa(n)}
	w.WriteHeader(status)
	bp := replyBuffers.Get().(*[]byte)
	defer replyBuffers.Put(bp)
	b := (*bp)[:0]
	for _, p := range parts {
		b = append(b, p...)
	}
	if cap(b) <= maxPooledReply {
		*bp = b
	}
	w.Write(b) // an error means the client went away
}

// jsonContentType is shared by every reply's header; nothing changes it.
var jsonContentType = []string{"application/json"}

// replyBuffers hold replies while they are written; one larger than
// maxPooledReply is left to the garbage collector.
var replyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

const maxPooledReply = 1 << 20
