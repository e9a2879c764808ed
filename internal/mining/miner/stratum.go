package miner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// dialTimeout bounds connecting to a stratum pool.
const dialTimeout = 10 * time.Second

// message is one line of stratum: a request, a notification or a
// response. EthProxy sends JSON-RPC 2.0 with a "worker" member;
// EthereumStratum JSON-RPC 1.0 style with "id": null notifications.
type message struct {
	ID      json.RawMessage `json:"id"`
	JSONRPC string          `json:"jsonrpc,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Worker  string          `json:"worker,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   json.RawMessage `json:"error,omitempty"`
}

// failed reports whether a response carries an error (stratum pools send
// null, an object or a [code, message, traceback] array).
func (m *message) failed() bool {
	e := bytes.TrimSpace(m.Error)
	return len(e) > 0 && !bytes.Equal(e, []byte("null"))
}

// lineConn is a stratum connection: newline-delimited JSON both ways,
// with requests matched to responses by id. Messages that answer no
// request (notifications, EthProxy's pushed work) go to the push handler.
type lineConn struct {
	conn    net.Conn
	jsonrpc string // "2.0" for EthProxy, "" for EthereumStratum

	wmu sync.Mutex // serialises writes

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan message
	closed  error
}

func dialLine(ctx context.Context, addr, jsonrpc string) (*lineConn, error) {
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("stratum %s: %w", addr, err)
	}
	return &lineConn{conn: conn, jsonrpc: jsonrpc, pending: map[uint64]chan message{}}, nil
}

// serve reads until the connection fails or ctx ends, then closes it.
func (c *lineConn) serve(ctx context.Context, push func(message) error) error {
	stop := context.AfterFunc(ctx, func() { c.conn.Close() })
	defer stop()
	err := c.read(push)
	c.conn.Close()
	c.mu.Lock()
	c.closed = err
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
	c.mu.Unlock()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (c *lineConn) read(push func(message) error) error {
	sc := bufio.NewScanner(c.conn)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var m message
		if err := json.Unmarshal(line, &m); err != nil {
			return fmt.Errorf("stratum: bad message %.200q: %w", line, err)
		}
		if m.Method == "" {
			if id, err := strconv.ParseUint(string(m.ID), 10, 64); err == nil {
				c.mu.Lock()
				ch, ok := c.pending[id]
				delete(c.pending, id)
				c.mu.Unlock()
				if ok {
					ch <- m
					continue
				}
			}
		}
		if err := push(m); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("stratum: %w", err)
	}
	return errors.New("stratum: the pool closed the connection")
}

// call sends a request and waits for its response.
func (c *lineConn) call(ctx context.Context, method string, params any, worker string) (message, error) {
	raw, err := json.Marshal(params)
	if err != nil {
		return message{}, err
	}
	ch := make(chan message, 1)
	c.mu.Lock()
	if c.closed != nil {
		c.mu.Unlock()
		return message{}, fmt.Errorf("%s: %w", method, c.closed)
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()

	req := message{ID: json.RawMessage(strconv.FormatUint(id, 10)), JSONRPC: c.jsonrpc, Method: method, Params: raw, Worker: worker}
	if err := c.write(req); err != nil {
		c.forget(id)
		return message{}, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return message{}, fmt.Errorf("%s: connection closed", method)
		}
		return m, nil
	case <-ctx.Done():
		c.forget(id)
		return message{}, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (c *lineConn) forget(id uint64) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

func (c *lineConn) write(m message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(dialTimeout))
	_, err = c.conn.Write(append(b, '\n'))
	return err
}

// resultTrue reads a boolean result; anything else, or an error, is a
// refusal whose reason is returned.
func resultTrue(m message) (bool, string) {
	if m.failed() {
		return false, string(m.Error)
	}
	var ok bool
	if err := json.Unmarshal(m.Result, &ok); err != nil {
		return false, "result " + string(m.Result)
	}
	return ok, ""
}

// current holds the connection of a stratum client's session, so that
// submissions go out on it.
type current struct {
	mu   sync.Mutex
	conn *lineConn
}

func (c *current) set(l *lineConn) {
	c.mu.Lock()
	c.conn = l
	c.mu.Unlock()
}

func (c *current) get() (*lineConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return nil, errors.New("stratum: not connected")
	}
	return c.conn, nil
}

// serveSession runs a session: it reads in the background while login
// logs in, then reads until the connection ends.
func serveSession(ctx context.Context, conn *lineConn, push func(message) error, login func() error) error {
	done := make(chan error, 1)
	go func() { done <- conn.serve(ctx, push) }()
	if err := login(); err != nil {
		conn.conn.Close()
		<-done
		return err
	}
	return <-done
}
