package pool

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
)

// TestStratum1Flow speaks EthProxy as ethminer's stratum1+tcp does: login
// with a worker member, work, a share, new work pushed with id 0.
func TestStratum1Flow(t *testing.T) {
	node := newFakeNode(t)
	v := fastVerifier{}
	header := node.setWork(3, 1<<40)
	p, _ := startPool(t, testConfig(), node, v)
	c := dialStratum(t, p)

	if r := c.call("eth_getWork", []string{}); r.Error == nil || r.Error.Code != codeUnauthorized {
		t.Fatalf("eth_getWork before login: %s %v", r.Result, r.Error)
	}
	if r := c.call("eth_submitLogin", []string{"0x0000000000000000000000000000000000000001", "x"}, "worker", "gpu1"); string(r.Result) != "true" {
		t.Fatalf("eth_submitLogin: %s %v", r.Result, r.Error)
	}
	work := strs(t, c.call("eth_getWork", []string{}).Result)
	if work[0] != hexHash(header) || work[2] != fmt.Sprintf("0x%064x", targetFor(4)) || work[3] != "0x3" {
		t.Fatalf("work = %v", work)
	}
	nonce, mix, _ := mine(t, v, 3, header, targetFor(4), 0)
	r := c.call("eth_submitWork", []string{fmt.Sprintf("0x%016x", nonce), hexHash(header), hexHash(mix)}, "worker", "gpu1")
	if string(r.Result) != "true" {
		t.Fatalf("eth_submitWork: %s %v", r.Result, r.Error)
	}
	if r := c.call("eth_submitHashrate", []string{"0x64", "0xabc"}); string(r.Result) != "true" {
		t.Fatalf("eth_submitHashrate: %s %v", r.Result, r.Error)
	}

	next := node.setWork(4, 1<<40)
	push := c.next()
	if string(push.ID) != "0" || strs(t, push.Result)[0] != hexHash(next) {
		t.Fatalf("push = %+v, want the new work with id 0", push)
	}
	s := p.Stats()
	if len(s.Workers) != 1 || s.Workers[0].Name != "gpu1" || s.Workers[0].Shares.Accepted != 1 || s.Workers[0].Reported != 100 {
		t.Fatalf("stats = %+v", s)
	}
}

// TestStratum2Flow speaks EthereumStratum/1.0.0 as lolMiner and ethminer's
// stratum2+tcp do: subscribe, authorize, set_difficulty, notify, submit
// with the extranonce.
func TestStratum2Flow(t *testing.T) {
	node := newFakeNode(t)
	v := fastVerifier{}
	header := node.setWork(7, 1<<40)
	p, _ := startPool(t, testConfig(), node, v)
	c := dialStratum(t, p)

	if r := c.call("mining.authorize", []string{"wallet.rig", "x"}); r.Error == nil || r.Error.Code != codeNotSubscribed {
		t.Fatalf("authorize before subscribe: %v", r.Error)
	}
	r := c.call("mining.subscribe", []string{"lolMiner 1.88", "EthereumStratum/1.0.0"})
	var sub []json.RawMessage
	json.Unmarshal(r.Result, &sub)
	if len(sub) != 2 {
		t.Fatalf("subscribe = %s", r.Result)
	}
	first := strs(t, sub[0])
	var extranonce string
	json.Unmarshal(sub[1], &extranonce)
	if first[0] != "mining.notify" || first[2] != "EthereumStratum/1.0.0" || len(extranonce) != 4 {
		t.Fatalf("subscribe = %s", r.Result)
	}
	if r := c.call("mining.extranonce.subscribe", []string{}); string(r.Result) != "true" {
		t.Fatalf("extranonce.subscribe: %s %v", r.Result, r.Error)
	}
	if r := c.call("mining.submit", []string{"wallet.rig", "1", "000000000000"}); r.Error == nil || r.Error.Code != codeUnauthorized {
		t.Fatalf("submit before authorize: %v", r.Error)
	}
	if r := c.call("mining.authorize", []string{"wallet.rig", "x"}); string(r.Result) != "true" {
		t.Fatalf("authorize: %s %v", r.Result, r.Error)
	}

	setDiff := c.next()
	var d []float64
	json.Unmarshal(setDiff.Params, &d)
	if setDiff.Method != "mining.set_difficulty" || len(d) != 1 || d[0] != nicehashDifficulty(4) {
		t.Fatalf("first message %+v, want mining.set_difficulty [%v]", setDiff, nicehashDifficulty(4))
	}
	notify := c.next()
	var job []any
	json.Unmarshal(notify.Params, &job)
	if notify.Method != "mining.notify" || len(job) != 4 || job[2] != fmt.Sprintf("%x", header[:]) || job[3] != true {
		t.Fatalf("notify = %s %s", notify.Method, notify.Params)
	}
	jobID := job[0].(string)
	if _, err := strconv.ParseUint(jobID, 16, 64); err != nil {
		t.Fatalf("job id %q is not hex", jobID)
	}

	// The miner's target comes from the difficulty as NiceHash defines it.
	target := nicehashTarget(d[0])
	start, _ := strconv.ParseUint(extranonce+"000000000000", 16, 64)
	nonce, _, _ := mine(t, v, 7, header, target, start)
	minerNonce := fmt.Sprintf("%016x", nonce)[4:]
	if r := c.call("mining.submit", []string{"wallet.rig", jobID, minerNonce}); string(r.Result) != "true" {
		t.Fatalf("submit: %s %v", r.Result, r.Error)
	}
	tests := []struct {
		name   string
		params []string
		code   int
	}{
		{"the same again", []string{"wallet.rig", jobID, minerNonce}, codeDuplicate},
		{"unknown job", []string{"wallet.rig", "ffff", minerNonce}, codeStale},
		{"nonce with the extranonce", []string{"wallet.rig", jobID, fmt.Sprintf("%016x", nonce)}, codeInvalidParams},
	}
	for _, tt := range tests {
		if r := c.call("mining.submit", tt.params); r.Error == nil || r.Error.Code != tt.code {
			t.Errorf("%s: %s %v, want error %d", tt.name, r.Result, r.Error, tt.code)
		}
	}

	// A new block: a new job with cleanJobs.
	next := node.setWork(8, 1<<40)
	notify = c.next()
	json.Unmarshal(notify.Params, &job)
	if notify.Method != "mining.notify" || job[2] != fmt.Sprintf("%x", next[:]) || job[3] != true || job[0] == jobID {
		t.Fatalf("notify = %s %s", notify.Method, notify.Params)
	}
	s := p.Stats()
	if len(s.Workers) != 1 || s.Workers[0].Name != "rig" || s.Workers[0].Shares != (ShareCounts{Accepted: 1, Duplicate: 1, Invalid: 2}) {
		t.Fatalf("stats = %+v", s.Workers)
	}
}

// TestNicehashTarget checks the conversion against the specification's
// example: difficulty 1 is 0x00000000ffff0000…0.
func TestNicehashTarget(t *testing.T) {
	if got := fmt.Sprintf("%064x", nicehashTarget(1)); got != "00000000ffff0000000000000000000000000000000000000000000000000000" {
		t.Errorf("target(1) = %s", got)
	}
	for _, D := range []uint64{1 << 20, 100000, 4_000_000_000} {
		got := difficultyOf(nicehashTarget(nicehashDifficulty(D)))
		if r := got / float64(D); r < 0.999999 || r > 1.000001 {
			t.Errorf("pool difficulty %d → nicehash %v → %v", D, nicehashDifficulty(D), got)
		}
	}
}

// TestBadInput answers malformed lines, oversize lines and unknown methods
// with errors and keeps serving; a connection that keeps at it is closed
// while another miner is served.
func TestBadInput(t *testing.T) {
	node := newFakeNode(t)
	node.setWork(1, 1<<40)
	p, _ := startPool(t, testConfig(), node, fastVerifier{})
	c := dialStratum(t, p)
	tests := []struct {
		line string
		code int
	}{
		{"{not json", codeParse},
		{`{"id":1,"params":[]}`, codeInvalidRequest},
		{`{"id":2,"method":"mining.frobnicate","params":[]}`, codeNotSubscribed},
		{`{"id":3,"method":"frobnicate","params":[]}`, codeNoMethod},
		{`{"id":4,"method":"mining.subscribe","params":"x"}`, codeInvalidParams},
		{`{"id":5,"method":"mining.subscribe","params":["cgminer"]}`, codeOther},
		{`{"id":6,"method":"mining.subscribe","params":["x","EthereumStratum/1.0.0"]}`, 0},
		{`{"id":7,"method":"eth_getWork","params":[]}`, codeNoMethod},
		{`{"id":8,"method":"mining.authorize","params":["w.bad name!","x"]}`, codeInvalidParams},
		{`{"id":9,"method":"mining.authorize","params":["w.ok","x"]}`, 0},
		{`{"id":10,"method":"mining.submit","params":["w.ok"]}`, codeInvalidParams},
		{strings.Repeat("x", maxLine+10), codeInvalidRequest},
	}
	for _, tt := range tests {
		c.send(tt.line)
		var m rawResponse
		for m = c.next(); m.Method != ""; m = c.next() {
		}
		switch {
		case tt.code == 0 && m.Error != nil:
			t.Errorf("%.40s: %v", tt.line, m.Error)
		case tt.code != 0 && (m.Error == nil || m.Error.Code != tt.code):
			t.Errorf("%.40s: %s %v, want error %d", tt.line, m.Result, m.Error, tt.code)
		}
	}
	if r := c.call("mining.extranonce.subscribe", []string{}); string(r.Result) != "true" {
		t.Fatalf("still serving: %s %v", r.Result, r.Error)
	}

	// Garbage without end closes the connection after maxStrikes lines.
	bad := dialStratum(t, p)
	for range maxStrikes {
		bad.send("garbage")
	}
	for n := 0; ; n++ {
		if _, ok := bad.read(); !ok {
			if n != maxStrikes {
				t.Errorf("closed after %d answers, want %d", n, maxStrikes)
			}
			break
		}
	}
}

// TestFloodLimited floods shares on one stratum connection: refused beyond
// maxSharesPerSecond, then closed, while another worker is served.
func TestFloodLimited(t *testing.T) {
	node := newFakeNode(t)
	v := fastVerifier{}
	header := node.setWork(1, 1<<40)
	cfg := testConfig()
	cfg.MaxSharesPerSecond = 2
	p, _ := startPool(t, cfg, node, v)

	flood := dialStratum(t, p)
	flood.call("eth_submitLogin", []string{"w.flooder"})
	flood.call("eth_getWork", []string{})
	nonce, mix, _ := mine(t, v, 1, header, targetFor(4), 0)
	line := fmt.Sprintf(`{"id":1,"method":"eth_submitWork","params":["0x%016x","%s","%s"]}`, nonce, hexHash(header), hexHash(mix))
	// Meanwhile another worker mines as usual.
	honest := make(chan rawResponse, 1)
	go func() {
		url := p.HTTPURL() + "/honest"
		rpc(t, url, "eth_getWork")
		n2, mix2, _ := mine(t, v, 1, header, targetFor(4), nonce+1)
		honest <- rpc(t, url, "eth_submitWork", fmt.Sprintf("0x%016x", n2), hexHash(header), hexHash(mix2))
	}()

	var answers []rawResponse
	for len(answers) < 200 {
		if _, err := flood.conn.Write([]byte(line + "\n")); err != nil {
			break
		}
		m, ok := flood.read()
		if !ok {
			break
		}
		answers = append(answers, m)
	}
	if r := <-honest; string(r.Result) != "true" {
		t.Fatalf("honest worker: %s %v", r.Result, r.Error)
	}
	limited := 0
	for _, a := range answers {
		if a.Error != nil && a.Error.Code == codeLimit && strings.Contains(a.Error.Message, "rate limited") {
			limited++
		}
	}
	if limited < maxStrikes || len(answers) >= 200 {
		t.Errorf("%d answers, %d rate limited", len(answers), limited)
	}
}

// TestIdleWorkerLowered lowers a stratum2 worker's difficulty when it
// finds nothing, and sends it the new difficulty with a fresh job.
func TestIdleWorkerLowered(t *testing.T) {
	node := newFakeNode(t)
	node.setWork(1, 1<<40)
	clock := newClock()
	cfg := testConfig()
	cfg.ShareDifficulty = 1000
	reg := newTestPool(t, cfg, node, clock)
	p := reg
	c := dialStratum(t, p)
	c.call("mining.subscribe", []string{"m", "EthereumStratum/1.0.0"})
	c.call("mining.authorize", []string{"w.idle", "x"})
	c.next() // set_difficulty 1000
	c.next() // notify
	clock.advance(cfg.Window / 4)
	setDiff := c.next()
	var d []float64
	json.Unmarshal(setDiff.Params, &d)
	if setDiff.Method != "mining.set_difficulty" || d[0] != nicehashDifficulty(250) {
		t.Fatalf("%s %s, want difficulty %v", setDiff.Method, setDiff.Params, nicehashDifficulty(250))
	}
	notify := c.next()
	var job []any
	json.Unmarshal(notify.Params, &job)
	if notify.Method != "mining.notify" || job[3] != false {
		t.Fatalf("%s %s, want a fresh job without cleanJobs", notify.Method, notify.Params)
	}
}

// FuzzStratumLine feeds lines to a connection: it must answer each with
// JSON lines and never panic.
func FuzzStratumLine(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"method":"mining.subscribe","params":["x","EthereumStratum/1.0.0"]}`,
		`{"id":2,"method":"mining.authorize","params":["a.b","x"]}`,
		`{"id":3,"method":"mining.submit","params":["a.b","1","0000000000"]}`,
		`{"id":1,"method":"eth_submitLogin","params":["a"],"worker":"w"}`,
		`{"id":1,"method":"eth_submitWork","params":["0x1","0x00","0x00"]}`,
		`{"id":1,"method":"eth_submitHashrate","params":["0x10","0x1"]}`,
		`[1,2]`, `null`, `{"id":{},"method":1}`,
	} {
		f.Add([]byte(s))
	}
	p, err := New(Options{Config: testConfig(), Node: "http://127.0.0.1:1", Verifier: fastVerifier{}})
	if err != nil {
		f.Fatal(err)
	}
	p.jobs.add(&Job{Header: [32]byte{1}, Target: targetFor(1 << 40), Height: 1})
	f.Fuzz(func(t *testing.T, line []byte) {
		var out bytes.Buffer
		c := p.newConn(nil, &out)
		for _, l := range [][]byte{[]byte(`{"id":1,"method":"mining.subscribe","params":["x","EthereumStratum/1.0.0"]}`), line, line} {
			c.handle(context.Background(), l)
		}
		for _, l := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n")) {
			if !json.Valid(l) {
				t.Fatalf("pool wrote %q", l)
			}
		}
	})
}

// clock is a settable clock; advancing it makes the pool poll.
type clock struct {
	mu  chan struct{}
	now time.Time
	p   *Pool
}

func newClock() *clock {
	c := &clock{mu: make(chan struct{}, 1), now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c.mu <- struct{}{}
	return c
}

func (c *clock) Now() time.Time {
	<-c.mu
	defer func() { c.mu <- struct{}{} }()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	<-c.mu
	c.now = c.now.Add(d)
	c.mu <- struct{}{}
	if c.p != nil {
		c.p.pollNow()
	}
}

// newTestPool starts a pool on clock with the fast verifier.
func newTestPool(t *testing.T, cfg config.Pool, node *fakeNode, c *clock) *Pool {
	t.Helper()
	p, err := New(Options{Config: cfg, Node: node.URL, Verifier: fastVerifier{}, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	c.p = p
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	await.True(t, 10*time.Second, "the pool's first job", func() bool { return p.jobs.current() != nil })
	return p
}
