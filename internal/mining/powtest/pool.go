package powtest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
)

// Pool is a small fake mining pool for miner tests: getWork over HTTP
// (the worker is the URL path) and stratum over TCP in both dialects
// (EthereumStratum/1.0.0 when a connection starts with mining.subscribe,
// EthProxy when it starts with eth_submitLogin). Its work is at height 1
// (epoch 0) at a share difficulty the test picks, and it verifies each
// share with light ethash.
type Pool struct {
	t          testing.TB
	difficulty uint64
	target     *big.Int
	hasher     *ethash.Verifier
	httpURL    string
	stratum    string

	mu       sync.Mutex
	seq      int
	jobs     map[string][32]byte // job id → header
	current  string
	accepted map[string]int
	rejected map[string]int
	reported map[string]float64
	conns    map[*poolConn]bool
	nextXN   int
}

// Light is the ethash verifier of the tests' private chains, one per test
// process: its epoch-0 cache takes a second to make (tens of seconds under
// the race detector), so the pools and miners of a test binary share it.
var Light = sync.OnceValue(func() *ethash.Verifier {
	v := ethash.NewVerifier(ethash.Ethash())
	v.Verify(1, [32]byte{}, 0) // makes the cache now, not in a miner's first submit
	return v
})

// StartPool runs a fake pool on loopback until the test ends.
func StartPool(t testing.TB, difficulty uint64) *Pool {
	t.Helper()
	p := &Pool{
		t:          t,
		difficulty: difficulty,
		target:     new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), 256), new(big.Int).SetUint64(difficulty)),
		hasher:     Light(),
		jobs:       map[string][32]byte{},
		accepted:   map[string]int{},
		rejected:   map[string]int{},
		reported:   map[string]float64{},
		conns:      map[*poolConn]bool{},
	}
	p.newJobLocked()
	srv := httptest.NewServer(http.HandlerFunc(p.serveHTTP))
	t.Cleanup(srv.Close)
	p.httpURL = srv.URL

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("powtest pool: %v", err)
	}
	p.stratum = ln.Addr().String()
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.conn.Close()
		}
		p.mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c := &poolConn{pool: p, conn: conn}
			p.mu.Lock()
			p.conns[c] = true
			p.mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); c.serve() }()
		}
	}()
	return p
}

// HTTPURL is the getWork endpoint; append "/WORKER".
func (p *Pool) HTTPURL() string { return p.httpURL }

// StratumAddr is the stratum listener's host:port.
func (p *Pool) StratumAddr() string { return p.stratum }

// Shares returns the worker's accepted and rejected share counts.
func (p *Pool) Shares(worker string) (accepted, rejected int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted[worker], p.rejected[worker]
}

// Reported is the worker's last reported hashrate.
func (p *Pool) Reported(worker string) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reported[worker]
}

// NewJob replaces the work and pushes it to stratum miners.
func (p *Pool) NewJob() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.newJobLocked()
	for c := range p.conns {
		c.notify()
	}
}

// SetExtranonce gives every EthereumStratum miner a new extranonce
// (mining.set_extranonce), effective from the next job, and sends a new
// job.
func (p *Pool) SetExtranonce() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		if c.dialect == "ethstratum" {
			c.extranonce = p.extranonceLocked()
			c.send(map[string]any{"id": nil, "method": "mining.set_extranonce", "params": []string{c.extranonce}})
		}
	}
	p.newJobLocked()
	for c := range p.conns {
		c.notify()
	}
}

func (p *Pool) newJobLocked() {
	var h [32]byte
	_, _ = rand.Read(h[:])
	p.seq++
	p.current = strconv.Itoa(p.seq)
	p.jobs[p.current] = h
}

func (p *Pool) extranonceLocked() string {
	p.nextXN++
	return fmt.Sprintf("%04x", 0xa100+p.nextXN)
}

// work is the current job as getWork and EthProxy send it.
func (p *Pool) work() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.workLocked()
}

func (p *Pool) workLocked() []string {
	h := p.jobs[p.current]
	return []string{hexutil.Encode(h[:]), hexutil.Encode(make([]byte, 32)), fmt.Sprintf("0x%064x", p.target), "0x1"}
}

// verify checks a share of the job with that header and counts it.
func (p *Pool) verify(worker string, header [32]byte, nonce uint64, mix []byte) bool {
	m, r, err := p.hasher.Verify(1, header, nonce)
	ok := err == nil && bytes.Equal(m[:], mix) && new(big.Int).SetBytes(r[:]).Cmp(p.target) <= 0
	p.mu.Lock()
	defer p.mu.Unlock()
	known := false
	for _, h := range p.jobs {
		known = known || h == header
	}
	if ok && known {
		p.accepted[worker]++
		return true
	}
	p.rejected[worker]++
	p.t.Logf("powtest pool: rejected %s's share: header %x known %v, nonce %#x, mix %x, computed mix %x result %x (err %v)",
		worker, header, known, nonce, mix, m, r, err)
	return false
}

type rpcRequest struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params []any           `json:"params"`
	Worker string          `json:"worker"`
}

func (r *rpcRequest) param(i int) string {
	if i >= len(r.Params) {
		return ""
	}
	s, _ := r.Params[i].(string)
	return s
}

// serveHTTP answers getWork's JSON-RPC; the worker is the path.
func (p *Pool) serveHTTP(w http.ResponseWriter, r *http.Request) {
	var req rpcRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	worker := strings.Trim(r.URL.Path, "/")
	var result any
	switch req.Method {
	case "eth_getWork":
		result = p.work()
	case "eth_submitWork":
		result = p.submitWork(worker, req)
	case "eth_submitHashrate":
		result = p.report(worker, req.param(0))
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": -32601, "message": "no method " + req.Method}})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
}

// submitWork checks [nonce, header, mix].
func (p *Pool) submitWork(worker string, req rpcRequest) bool {
	// The nonce is 8 bytes of DATA (0x and 16 digits, leading zeros
	// kept), not a QUANTITY.
	nonceBytes, err1 := hexutil.Decode(req.param(0))
	header, err2 := hexutil.Decode(req.param(1))
	mix, err3 := hexutil.Decode(req.param(2))
	if err1 != nil || err2 != nil || err3 != nil || len(nonceBytes) != 8 || len(header) != 32 {
		p.t.Logf("powtest pool: rejected %s's eth_submitWork %q: bad parameters", worker, req.Params)
		p.mu.Lock()
		p.rejected[worker]++
		p.mu.Unlock()
		return false
	}
	return p.verify(worker, [32]byte(header), binary.BigEndian.Uint64(nonceBytes), mix)
}

func (p *Pool) report(worker, rate string) bool {
	n, err := hexutil.DecodeBig(rate)
	if err != nil {
		return false
	}
	f, _ := new(big.Float).SetInt(n).Float64()
	p.mu.Lock()
	p.reported[worker] = f
	p.mu.Unlock()
	return true
}

// poolConn is one stratum connection; the pool's mutex guards its state.
type poolConn struct {
	pool       *Pool
	conn       net.Conn
	wmu        sync.Mutex
	dialect    string // "ethstratum" or "ethproxy" once known
	worker     string
	extranonce string
	jobXN      map[string]string // job id → the extranonce it was sent with
}

func (c *poolConn) serve() {
	defer func() {
		c.conn.Close()
		c.pool.mu.Lock()
		delete(c.pool.conns, c)
		c.pool.mu.Unlock()
	}()
	sc := bufio.NewScanner(c.conn)
	for sc.Scan() {
		var req rpcRequest
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			return
		}
		c.pool.mu.Lock()
		result, after := c.handle(req)
		c.send(map[string]any{"id": req.ID, "result": result, "error": nil})
		if after != nil {
			after()
		}
		c.pool.mu.Unlock()
	}
}

// handle answers a request with the pool locked; after runs once the
// answer is sent.
func (c *poolConn) handle(req rpcRequest) (result any, after func()) {
	p := c.pool
	switch req.Method {
	case "mining.subscribe":
		c.dialect, c.extranonce, c.jobXN = "ethstratum", p.extranonceLocked(), map[string]string{}
		return []any{[]string{"mining.notify", "s1", "EthereumStratum/1.0.0"}, c.extranonce}, nil
	case "mining.authorize":
		c.worker = req.param(0)
		return true, func() {
			diff := float64(p.difficulty) / (1 << 32)
			c.send(map[string]any{"id": nil, "method": "mining.set_difficulty", "params": []float64{diff}})
			c.notify()
		}
	case "mining.extranonce.subscribe":
		return true, nil
	case "mining.submit":
		return c.submitStratum(req), nil
	case "eth_submitLogin":
		c.dialect, c.worker = "ethproxy", req.param(0)
		return true, nil
	case "eth_getWork":
		return p.workLocked(), nil
	case "eth_submitWork":
		p.mu.Unlock()
		defer p.mu.Lock()
		return p.submitWork(c.worker, req), nil
	case "eth_submitHashrate":
		p.mu.Unlock()
		defer p.mu.Lock()
		return p.report(c.worker, req.param(0)), nil
	}
	return false, nil
}

// submitStratum checks mining.submit [worker, job, nonce without the
// extranonce]; the mix is recomputed (EthereumStratum does not send it).
func (c *poolConn) submitStratum(req rpcRequest) bool {
	p := c.pool
	header, known := p.jobs[req.param(1)]
	nonce, err := strconv.ParseUint(c.jobXN[req.param(1)]+req.param(2), 16, 64)
	if !known || err != nil || len(c.jobXN[req.param(1)]+req.param(2)) != 16 {
		p.t.Logf("powtest pool: rejected %s's mining.submit %q: unknown job or bad nonce", c.worker, req.Params)
		p.rejected[c.worker]++
		return false
	}
	p.mu.Unlock()
	defer p.mu.Lock()
	m, _, _ := p.hasher.Verify(1, header, nonce)
	return p.verify(c.worker, header, nonce, m[:])
}

// notify sends the current job, with the pool locked.
func (c *poolConn) notify() {
	p := c.pool
	switch c.dialect {
	case "ethstratum":
		if c.worker == "" {
			return
		}
		h := p.jobs[p.current]
		c.jobXN[p.current] = c.extranonce
		c.send(map[string]any{"id": nil, "method": "mining.notify", "params": []any{p.current, fmt.Sprintf("%064x", 0), fmt.Sprintf("%x", h), true}})
	case "ethproxy":
		c.send(map[string]any{"id": 0, "jsonrpc": "2.0", "result": p.workLocked()})
	}
}

func (c *poolConn) send(m map[string]any) {
	b, _ := json.Marshal(m)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, _ = c.conn.Write(append(b, '\n'))
}
