package pool

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Stratum connection limits.
const (
	maxStrikes   = 32               // refusals and protocol errors in a row before closing
	idleTimeout  = 10 * time.Minute // a connection silent this long is closed
	writeTimeout = 10 * time.Second
	protocolName = "EthereumStratum/1.0.0"
)

// dialect is the stratum flavour a connection speaks, known from its first
// request.
type dialect int

const (
	undecided       dialect = iota
	ethProxy                // stratum1: eth_submitLogin, eth_getWork, eth_submitWork
	ethereumStratum         // stratum2: NiceHash's EthereumStratum/1.0.0
)

// conn is one stratum connection.
type conn struct {
	pool *Pool
	nc   net.Conn // nil when driven directly (fuzzing)
	out  io.Writer
	wake chan struct{}
	once sync.Once

	mu         sync.Mutex // guards what follows and writes to out
	dialect    dialect
	subscribed bool
	name       string // the worker, once logged in
	extranonce string // stratum2: hex, this connection's nonce prefix
	issued     issueLog
	seq        uint64 // stratum2: the last job id
	sentAny    bool
	sentHeader [32]byte
	sentHeight uint64
	sentDiff   uint64
	strikes    int
	broken     bool // a write failed
}

func (p *Pool) newConn(nc net.Conn, out io.Writer) *conn {
	return &conn{pool: p, nc: nc, out: out, wake: make(chan struct{}, 1)}
}

// accept serves stratum connections until the listener closes.
func (p *Pool) accept(ctx context.Context, ln net.Listener) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			p.log.Warn("stratum accept", "err", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		c := p.newConn(nc, nc)
		p.mu.Lock()
		p.conns[c] = true
		p.mu.Unlock()
		p.wg.Go(func() { c.serve(ctx) })
	}
}

// serve reads requests line by line until the miner leaves, misbehaves for
// too long or the pool stops; a second goroutine sends new work.
func (c *conn) serve(ctx context.Context) {
	p := c.pool
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(done)
		c.close()
		wg.Wait()
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-c.wake:
				c.sync()
			}
		}
	})
	r := bufio.NewReaderSize(c.nc, maxLine)
	for ctx.Err() == nil {
		c.nc.SetReadDeadline(time.Now().Add(idleTimeout))
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			if !c.refuse(errorf(codeInvalidRequest, "line longer than %d bytes", maxLine)) {
				return
			}
			line = nil
		}
		if len(bytes.TrimSpace(line)) > 0 && !c.handle(ctx, line) {
			return
		}
		if err != nil {
			return
		}
	}
}

// close closes the network connection once.
func (c *conn) close() {
	c.once.Do(func() {
		if c.nc != nil {
			c.nc.Close()
		}
	})
}

// poke asks the connection to catch up with the pool's work.
func (c *conn) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// refuse answers a line that is not a request; false means close.
func (c *conn) refuse(err *rpcError) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeLocked(answer(nil, nil, err))
	c.strikes++
	return c.strikes < maxStrikes && !c.broken
}

// handle answers one line; false means close the connection.
func (c *conn) handle(ctx context.Context, line []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	req, rerr := parseRequest(line)
	var result any
	var err error
	var id json.RawMessage
	if req != nil {
		id = req.ID
	}
	if rerr != nil {
		err = rerr
	} else {
		result, err = c.dispatch(ctx, req)
	}
	c.writeLocked(answer(id, result, err))
	var re *rpcError
	var se *shareError
	switch {
	case err == nil, errors.As(err, &se):
		c.strikes = 0
	case errors.As(err, &re):
		c.strikes++
	}
	if err == nil && (req.Method == "mining.authorize") {
		c.syncLocked()
	}
	return c.strikes < maxStrikes && !c.broken
}

// dispatch picks the dialect from the first request, then answers it.
func (c *conn) dispatch(ctx context.Context, req *request) (any, error) {
	if c.dialect == undecided {
		switch {
		case req.Method == "mining.subscribe":
			c.dialect = ethereumStratum
		case strings.HasPrefix(req.Method, "eth_"):
			c.dialect = ethProxy
		case strings.HasPrefix(req.Method, "mining."):
			return nil, errorf(codeNotSubscribed, "not subscribed: send mining.subscribe [agent, %q] first", protocolName)
		default:
			return nil, errorf(codeNoMethod, "method %.64q not found", req.Method)
		}
	}
	if c.dialect == ethProxy {
		return c.ethProxyCall(ctx, req)
	}
	return c.stratumCall(ctx, req)
}

// login names the connection's worker: the login of either dialect, whose
// first parameter is the worker (or wallet.worker).
func (c *conn) login(req *request) (any, error) {
	ps, rerr := stringParams(req.Params, 1)
	if rerr != nil {
		return nil, rerr
	}
	name := nameOf(ps[0], req.Worker)
	if _, rerr := c.pool.worker(name); rerr != nil {
		return nil, rerr
	}
	c.name = name
	return true, nil
}

// ethProxyCall answers the EthProxy (stratum1) methods.
func (c *conn) ethProxyCall(ctx context.Context, req *request) (any, error) {
	p := c.pool
	if req.Method == "eth_submitLogin" {
		return c.login(req)
	}
	w, err := c.loggedIn(req.Method)
	if err != nil {
		return nil, err
	}
	switch req.Method {
	case "eth_getWork":
		job := p.jobs.current()
		if job == nil {
			return nil, errorf(codeOther, "no work yet: the pool has no work from its node")
		}
		c.sentAny, c.sentHeader, c.sentHeight = true, job.Header, job.Height
		return workResult(c.issueByHeader(job, w)), nil
	case "eth_submitWork":
		return p.ethSubmitWork(ctx, w, req.Params, func(header [32]byte) issue {
			if is, ok := c.issued.get(string(header[:])); ok {
				return is
			}
			return p.fallbackIssue(w, header)
		})
	case "eth_submitHashrate":
		return p.ethSubmitHashrate(w, req.Params)
	}
	return nil, errorf(codeNoMethod, "method %.64q not found: EthProxy serves eth_submitLogin, eth_getWork, eth_submitWork and eth_submitHashrate", req.Method)
}

// issueByHeader returns the work given on this connection for job, or
// gives it at the worker's difficulty.
func (c *conn) issueByHeader(job *Job, w *worker) issue {
	key := string(job.Header[:])
	if is, ok := c.issued.get(key); ok {
		return is
	}
	is := newIssue(job, targetFor(w.currentDifficulty()))
	c.issued.put(key, is)
	return is
}

// loggedIn returns the connection's worker, or the error for a method
// called before logging in.
func (c *conn) loggedIn(method string) (*worker, error) {
	if c.name == "" {
		login := "eth_submitLogin"
		if c.dialect == ethereumStratum {
			login = "mining.authorize"
		}
		return nil, errorf(codeUnauthorized, "unauthorized worker: %s before %s", method, login)
	}
	w, rerr := c.pool.worker(c.name)
	if rerr != nil {
		return nil, rerr
	}
	return w, nil
}

// stratumCall answers the EthereumStratum/1.0.0 methods.
func (c *conn) stratumCall(ctx context.Context, req *request) (any, error) {
	p := c.pool
	switch req.Method {
	case "mining.subscribe":
		ps, rerr := stringParams(req.Params, 0)
		if rerr != nil {
			return nil, rerr
		}
		if len(ps) < 2 || !strings.HasPrefix(ps[1], "EthereumStratum/1.0") {
			return nil, errorf(codeOther, "unsupported protocol: this pool speaks mining.subscribe [agent, %q] and EthProxy (eth_submitLogin)", protocolName)
		}
		if !c.subscribed {
			c.subscribed = true
			c.extranonce = p.nextExtranonce()
		}
		return []any{[]any{"mining.notify", "0000" + c.extranonce, protocolName}, c.extranonce}, nil
	case "mining.extranonce.subscribe":
		return true, nil
	case "mining.authorize":
		if !c.subscribed {
			return nil, errorf(codeNotSubscribed, "not subscribed: mining.authorize before mining.subscribe")
		}
		return c.login(req)
	case "mining.submit":
		w, err := c.loggedIn(req.Method)
		if err != nil {
			return nil, err
		}
		return c.submit(ctx, w, req.Params)
	case "eth_submitHashrate", "mining.hashrate":
		w, err := c.loggedIn(req.Method)
		if err != nil {
			return nil, err
		}
		return p.ethSubmitHashrate(w, req.Params)
	}
	return nil, errorf(codeNoMethod, "method %.64q not found", req.Method)
}

// submit takes mining.submit [worker, job id, miner nonce]: the nonce is
// the connection's extranonce followed by the miner's hex digits.
func (c *conn) submit(ctx context.Context, w *worker, params json.RawMessage) (any, error) {
	p := c.pool
	ps, rerr := stringParams(params, 3)
	if rerr != nil {
		return nil, rerr
	}
	is, ok := c.issued.get(ps[1])
	if !ok {
		var serr *shareError
		if n, err := strconv.ParseUint(ps[1], 16, 64); err == nil && n <= c.seq {
			serr = stale("job too old")
		} else {
			serr = invalid(codeStale, "job %.20q not found", ps[1])
		}
		p.record(w, p.now(), serr.outcome, 0)
		return nil, serr
	}
	digits := 16 - len(c.extranonce)
	nonce, ok := parseNonce(c.extranonce + strings.TrimPrefix(ps[2], "0x"))
	if !ok || len(strings.TrimPrefix(ps[2], "0x")) != digits {
		p.record(w, p.now(), Invalid, 0)
		return nil, invalid(codeInvalidParams, "nonce %.20q: want %d hex digits after the extranonce %s", ps[2], digits, c.extranonce)
	}
	if err := p.submit(ctx, share{worker: w, issue: is, nonce: nonce}); err != nil {
		return nil, err
	}
	return true, nil
}

// nextExtranonce hands out 2-byte nonce prefixes, one per connection.
func (p *Pool) nextExtranonce() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nonce++
	return fmt.Sprintf("%04x", p.nonce)
}

// sync sends the connection the current job, and for stratum2 its
// worker's difficulty, if it has not had them.
func (c *conn) sync() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.syncLocked()
}

func (c *conn) syncLocked() {
	job := c.pool.jobs.current()
	if job == nil || c.name == "" {
		return
	}
	w, rerr := c.pool.worker(c.name)
	if rerr != nil {
		return
	}
	switch c.dialect {
	case ethProxy:
		if c.sentAny && c.sentHeader == job.Header {
			return
		}
		c.sentAny, c.sentHeader, c.sentHeight = true, job.Header, job.Height
		id := json.RawMessage("0")
		c.writeLocked(response{ID: id, JSONRPC: "2.0", Result: workResult(c.issueByHeader(job, w))})
	case ethereumStratum:
		d := w.currentDifficulty()
		newDiff := d != c.sentDiff
		if newDiff {
			c.sentDiff = d
			c.writeLocked(notification{JSONRPC: "2.0", Method: "mining.set_difficulty", Params: []float64{nicehashDifficulty(d)}})
		}
		if c.sentAny && c.sentHeader == job.Header && !newDiff {
			return
		}
		clean := !c.sentAny || c.sentHeight != job.Height
		c.seq++
		jobID := fmt.Sprintf("%x", c.seq)
		c.issued.put(jobID, newIssue(job, nicehashTarget(nicehashDifficulty(d))))
		c.sentAny, c.sentHeader, c.sentHeight = true, job.Header, job.Height
		c.writeLocked(notification{JSONRPC: "2.0", Method: "mining.notify", Params: []any{
			jobID, fmt.Sprintf("%x", job.Seed[:]), fmt.Sprintf("%x", job.Header[:]), clean,
		}})
	}
}

// writeLocked writes one JSON line; a failed write marks the connection
// broken.
func (c *conn) writeLocked(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		c.pool.log.Error("stratum: encoding", "err", err)
		return
	}
	if c.nc != nil {
		c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	}
	if _, err := c.out.Write(append(data, '\n')); err != nil {
		c.broken = true
		c.close()
	}
}
