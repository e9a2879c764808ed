package pool

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/mining/ethash"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
)

// fastVerifier stands in for ethash where the hash function does not
// matter: mix = sha256(header, nonce), result = sha256(mix).
type fastVerifier struct{}

func (fastVerifier) Verify(height uint64, header [32]byte, nonce uint64) (mix, result [32]byte, err error) {
	var b [40]byte
	copy(b[:], header[:])
	binary.LittleEndian.PutUint64(b[32:], nonce)
	mix = sha256.Sum256(b[:])
	return mix, sha256.Sum256(mix[:]), nil
}

// light is ethash light verification, as the pool command uses it.
var light = sync.OnceValue(func() *ethash.Verifier { return ethash.NewVerifier(ethash.Ethash()) })

// mine hashes nonces from start until one meets target.
func mine(t *testing.T, v Verifier, height uint64, header [32]byte, target *big.Int, start uint64) (nonce uint64, mix, result [32]byte) {
	t.Helper()
	for n := start; n < start+100000; n++ {
		mix, result, err := v.Verify(height, header, n)
		if err != nil {
			t.Fatal(err)
		}
		if meets(result, target) {
			return n, mix, result
		}
	}
	t.Fatalf("no share below %x in 100000 nonces", target)
	return 0, mix, result
}

// fakeNode is an upstream node: it hands out work the test sets and
// records eth_submitWork.
type fakeNode struct {
	*httptest.Server
	mu        sync.Mutex
	work      []string
	submitted [][]string
}

func newFakeNode(t *testing.T) *fakeNode {
	n := &fakeNode{}
	n.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params []string        `json:"params"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		n.mu.Lock()
		defer n.mu.Unlock()
		var result any
		switch req.Method {
		case "eth_getWork":
			if n.work == nil {
				json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": -32000, "message": "no mining work available yet"}})
				return
			}
			result = n.work
		case "eth_submitWork":
			n.submitted = append(n.submitted, req.Params)
			result = true
		case "eth_getBalance":
			result = "0xde0b6b3a7640000"
		default:
			result = nil
		}
		json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}))
	t.Cleanup(n.Close)
	return n
}

// setWork makes the node hand out header at height with the network
// difficulty; it returns the header.
func (n *fakeNode) setWork(height uint64, difficulty uint64) [32]byte {
	header := sha256.Sum256(fmt.Appendf(nil, "header %d %d", height, time.Now().UnixNano()))
	n.mu.Lock()
	defer n.mu.Unlock()
	n.work = []string{hexHash(header), hexHash([32]byte{}), fmt.Sprintf("0x%064x", targetFor(difficulty)), fmt.Sprintf("0x%x", height)}
	return header
}

func (n *fakeNode) submissions() [][]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([][]string(nil), n.submitted...)
}

// testConfig is mining.pool for tests: listeners on 127.0.0.1:0, a quick
// poll.
func testConfig() config.Pool {
	return config.Pool{
		Listen: "127.0.0.1:0", Stratum: "127.0.0.1:0",
		ShareDifficulty: 4, MinShareDifficulty: 1, Window: 10 * time.Minute, TargetShares: 384,
		MaxSharesPerSecond: 1000, PollInterval: 20 * time.Millisecond,
	}
}

// startPool starts a pool in front of node and waits for its first job.
func startPool(t *testing.T, cfg config.Pool, node *fakeNode, v Verifier) (*Pool, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	p, err := New(Options{Config: cfg, Node: node.URL, Verifier: v, Registry: reg, Gatherer: reg, Etherbase: "0x0000000000000000000000000000000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	await.True(t, 10*time.Second, "the pool's first job", func() bool { return p.jobs.current() != nil })
	return p, reg
}

// awaitJob waits until the pool's current job has header.
func awaitJob(t *testing.T, p *Pool, header [32]byte) {
	t.Helper()
	await.True(t, 10*time.Second, "the new job", func() bool {
		j := p.jobs.current()
		return j != nil && j.Header == header
	})
}

// rpc posts one JSON-RPC request to url and returns the response.
func rpc(t *testing.T, url, method string, params ...any) rawResponse {
	t.Helper()
	if params == nil {
		params = []any{}
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	resp, err := http.Post(url, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r rawResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

// rawResponse is a response as a client reads it.
type rawResponse struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

// stratumClient is a miner on a stratum connection.
type stratumClient struct {
	t     *testing.T
	conn  net.Conn
	r     *bufio.Reader
	id    int
	notes []rawResponse // notifications and pushes seen while waiting for answers
}

func dialStratum(t *testing.T, p *Pool) *stratumClient {
	t.Helper()
	c, err := net.Dial("tcp", p.StratumAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &stratumClient{t: t, conn: c, r: bufio.NewReader(c), id: 100}
}

func (c *stratumClient) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, line+"\n"); err != nil {
		c.t.Fatal(err)
	}
}

// read reads one message; ok is false once the connection is closed.
func (c *stratumClient) read() (rawResponse, bool) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		return rawResponse{}, false
	}
	var m rawResponse
	if err := json.Unmarshal(line, &m); err != nil {
		c.t.Fatalf("pool sent %q: %v", line, err)
	}
	return m, true
}

// call sends a request and returns its answer; messages that come first
// are kept in notes.
func (c *stratumClient) call(method string, params any, extra ...string) rawResponse {
	c.t.Helper()
	c.id++
	req := map[string]any{"id": c.id, "jsonrpc": "2.0", "method": method, "params": params}
	if len(extra) == 2 {
		req[extra[0]] = extra[1]
	}
	b, _ := json.Marshal(req)
	c.send(string(b))
	want := fmt.Sprint(c.id)
	for {
		m, ok := c.read()
		if !ok {
			c.t.Fatalf("%s: connection closed", method)
		}
		if string(m.ID) == want && m.Method == "" {
			return m
		}
		c.notes = append(c.notes, m)
	}
}

// next returns the next message that is not an answer: from notes, else
// from the connection.
func (c *stratumClient) next() rawResponse {
	c.t.Helper()
	if len(c.notes) > 0 {
		m := c.notes[0]
		c.notes = c.notes[1:]
		return m
	}
	m, ok := c.read()
	if !ok {
		c.t.Fatal("connection closed")
	}
	return m
}

func strs(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var s []string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return s
}
