package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// httpLoad is what the HTTP modes share.
type httpLoad struct {
	url       string
	mix       func(buf []byte, i, lo, span uint64) []byte
	workers   int
	warmup    time.Duration
	measure   time.Duration
	blocks    uint64   // span of block numbers, ending at the head at start (0: none)
	servers   []server // whose CPU use is reported
	serverCPU int      // the CPU they are pinned to (-1: none)

	target   target
	lo, span uint64
	next     atomic.Uint64 // request counter: every request's params differ
}

func (l *httpLoad) init() error {
	var err error
	if l.target, err = parseTarget(l.url); err != nil {
		return err
	}
	if l.blocks == 0 {
		l.span = 1 // the mix names no block
		return nil
	}
	head, err := l.head()
	if err != nil {
		return err
	}
	l.span = max(1, min(l.blocks, head))
	l.lo = head - l.span + 1
	return nil
}

// head asks the target for eth_blockNumber.
func (l *httpLoad) head() (uint64, error) {
	w := l.newWorker()
	body, err := w.conn.post(appendRequest(nil, 1, "eth_blockNumber"))
	if err != nil {
		return 0, fmt.Errorf("eth_blockNumber: %w", err)
	}
	var r struct{ Result string }
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("eth_blockNumber: %s: %w", body, err)
	}
	n, ok := parseHex([]byte(r.Result))
	if !ok {
		return 0, fmt.Errorf("eth_blockNumber: %s", body)
	}
	return n, nil
}

// worker sends requests one at a time, over one keep-alive connection,
// reusing its buffers.
type worker struct {
	l    *httpLoad
	conn clientConn
	in   []byte
}

func (l *httpLoad) newWorker() *worker {
	return &worker{l: l, conn: clientConn{target: l.target}}
}

var errAnswer = errors.New("error answer")

// send sends the next request of the mix.
func (w *worker) send() error {
	l := w.l
	w.in = l.mix(w.in[:0], l.next.Add(1), l.lo, l.span)
	body, err := w.conn.post(w.in)
	if err == nil && bytes.Contains(body, []byte(`"error"`)) {
		err = fmt.Errorf("%w: %.200s", errAnswer, body)
	}
	return err
}

// maxResult is the closed loop's result.
type maxResult struct {
	Mode     string  `json:"mode"`
	URL      string  `json:"url"`
	Workers  int     `json:"workers"`
	Seconds  float64 `json:"seconds"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	RPS      float64 `json:"rps"`
	// CPU is the generator's own CPU use (1 = one core busy): near 1 on
	// one core, the generator, not the server, is the bottleneck.
	CPU float64 `json:"cpu"`
	// ServersCPU is the servers' (-pids); OtherCPU everyone else's.
	ServersCPU float64 `json:"servers_cpu"`
	OtherCPU   float64 `json:"other_cpu"`
	// OtherServerCPU is what others used of the CPU the servers run on.
	OtherServerCPU float64 `json:"other_server_cpu"`
	// CPUByServer is each server's CPU use, by the name -pids gave it.
	CPUByServer map[string]float64 `json:"cpu_by_server,omitempty"`
	LastError   string             `json:"lastError,omitempty"`
}

// runMax runs the closed loop: every worker sends its next request as soon
// as the last is answered.
func (l *httpLoad) runMax() (maxResult, error) {
	var done, failed atomic.Int64
	var lastErr atomic.Value
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range l.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := l.newWorker()
			for !stop.Load() {
				if err := w.send(); err != nil {
					failed.Add(1)
					lastErr.Store(err.Error())
				}
				done.Add(1)
			}
		}()
	}
	time.Sleep(l.warmup)
	start, cpu0, n0, e0 := time.Now(), cpuTime(), done.Load(), failed.Load()
	watch := startCPU(l.servers, l.serverCPU)
	time.Sleep(l.measure)
	elapsed, cpu, n, e := time.Since(start), cpuTime()-cpu0, done.Load()-n0, failed.Load()-e0
	use := watch.stop()
	stop.Store(true)
	wg.Wait()
	r := maxResult{
		Mode: "max", URL: l.url, Workers: l.workers, Seconds: elapsed.Seconds(), Requests: n, Errors: e,
		RPS: float64(n) / elapsed.Seconds(), CPU: cpu.Seconds() / elapsed.Seconds(),
		ServersCPU: use.Servers, OtherCPU: use.Other, OtherServerCPU: use.OtherOnServerCPU, CPUByServer: use.ByServer,
	}
	if s, ok := lastErr.Load().(string); ok {
		r.LastError = s
	}
	return r, nil
}

// rateResult is the open loop's result.
type rateResult struct {
	Mode       string  `json:"mode"`
	URL        string  `json:"url"`
	Rate       float64 `json:"rate"`
	Achieved   float64 `json:"achieved"`
	Requests   int     `json:"requests"`
	Errors     int64   `json:"errors"`
	P50us      float64 `json:"p50_us"`
	P90us      float64 `json:"p90_us"`
	P99us      float64 `json:"p99_us"`
	MaxUs      float64 `json:"max_us"`
	CPU        float64 `json:"cpu"`
	ServersCPU float64 `json:"servers_cpu"`
	OtherCPU   float64 `json:"other_cpu"`
	// OtherServerCPU is what others used of the CPU the servers run on.
	OtherServerCPU float64 `json:"other_server_cpu"`
	// CPUByServer is each server's CPU use, by the name -pids gave it.
	CPUByServer map[string]float64 `json:"cpu_by_server,omitempty"`
	LastError   string             `json:"lastError,omitempty"`
}

// runRate runs the open loop: request k is due at start + k/rate, and its
// latency runs from then until its answer is read, however late a busy
// worker sent it. Only the generator's own timer is forgiven: Go sleeps at
// least a millisecond when idle, so a request due before the dispatcher
// woke is timed from its wake-up.
func (l *httpLoad) runRate(rate float64) (rateResult, error) {
	if rate <= 0 {
		return rateResult{}, errors.New("-rate must be positive")
	}
	due := make(chan time.Time, l.workers)
	measureFrom := time.Now().Add(l.warmup)
	end := measureFrom.Add(l.measure)
	samples := make([][]time.Duration, l.workers)
	var failed atomic.Int64
	var lastErr atomic.Value
	var wg sync.WaitGroup
	for k := range l.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := l.newWorker()
			own := make([]time.Duration, 0, int(rate*l.measure.Seconds())/l.workers+64)
			for from := range due {
				err := w.send()
				took := time.Since(from)
				if from.Before(measureFrom) {
					continue
				}
				own = append(own, took)
				if err != nil {
					failed.Add(1)
					lastErr.Store(err.Error())
				}
			}
			samples[k] = own
		}()
	}
	var cpu0 time.Duration
	var watch *cpuWatch
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	var woke time.Time
	for k := 0; ; k++ {
		at := start.Add(time.Duration(k) * interval)
		if !at.Before(end) {
			break
		}
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
			woke = time.Now()
		}
		if watch == nil && !at.Before(measureFrom) {
			cpu0, watch = cpuTime(), startCPU(l.servers, l.serverCPU)
		}
		due <- laterOf(at, woke)
	}
	close(due)
	wg.Wait()
	cpu, use := cpuTime()-cpu0, watch.stop()
	var all []time.Duration
	for _, s := range samples {
		all = append(all, s...)
	}
	p := summarize(all)
	r := rateResult{
		Mode: "rate", URL: l.url, Rate: rate, Achieved: float64(p.N) / l.measure.Seconds(), Requests: p.N, Errors: failed.Load(),
		P50us: micros(p.P50), P90us: micros(p.P90), P99us: micros(p.P99), MaxUs: micros(p.Max),
		CPU: cpu.Seconds() / l.measure.Seconds(), ServersCPU: use.Servers, OtherCPU: use.Other, OtherServerCPU: use.OtherOnServerCPU, CPUByServer: use.ByServer,
	}
	if s, ok := lastErr.Load().(string); ok {
		r.LastError = s
	}
	return r, nil
}

func laterOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

// parseHex reads a JSON-RPC quantity, "0x1b4" (quotes optional).
func parseHex(b []byte) (uint64, bool) {
	b = bytes.Trim(b, `"`)
	if len(b) < 3 || b[0] != '0' || b[1] != 'x' {
		return 0, false
	}
	var n uint64
	for _, c := range b[2:] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		if n>>60 != 0 {
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	return n, true
}
