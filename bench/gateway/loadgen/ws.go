package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// wsLoad opens many newHeads subscribers and times the heads they get.
type wsLoad struct {
	url       string
	clients   int
	heads     uint64
	dialers   int           // dials in flight at once
	timeout   time.Duration // for the heads to arrive once all subscribed
	rssPID    int           // process whose memory to watch (0: none)
	servers   []server      // whose CPU use is reported
	serverCPU int           // the CPU they are pinned to (-1: none)
	rssSample time.Duration
}

// wsResult is the ws mode's result.
type wsResult struct {
	Mode       string  `json:"mode"`
	URL        string  `json:"url"`
	Clients    int     `json:"clients"`
	Subscribed int64   `json:"subscribed"`
	Heads      uint64  `json:"heads"`
	FirstHead  uint64  `json:"firstHead"`
	Expected   int64   `json:"expected"`
	Received   int64   `json:"received"`
	Missed     int64   `json:"missed"`
	Duplicated int64   `json:"duplicated"`
	P50ms      float64 `json:"p50_ms"`
	P90ms      float64 `json:"p90_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	ConnectS   float64 `json:"connect_s"`
	// MsgBytes is the size of a newHeads notification.
	MsgBytes int `json:"msg_bytes"`
	// RSSMaxMB is the highest VmRSS of the watched process seen while the
	// clients were connected; HWMMB is its VmHWM (peak RSS of its life) at
	// the end, before the clients leave.
	RSSMaxMB   float64 `json:"rss_max_mb"`
	HWMMB      float64 `json:"hwm_mb"`
	CPU        float64 `json:"cpu"`
	ServersCPU float64 `json:"servers_cpu"`
	OtherCPU   float64 `json:"other_cpu"`
	// OtherServerCPU is what others used of the CPU the servers run on.
	OtherServerCPU float64 `json:"other_server_cpu"`
	// CPUByServer is each server's CPU use, by the name -pids gave it.
	CPUByServer map[string]float64 `json:"cpu_by_server,omitempty"`
	LastError   string             `json:"lastError,omitempty"`
}

// wsClient is one subscriber.
type wsClient struct {
	conn    *websocket.Conn
	seen    []uint8 // per head of the window, how many times it came
	samples []time.Duration
	size    int // of the last head
}

var subscribeMsg = []byte(`{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}`)

func (l *wsLoad) run() (wsResult, error) {
	res := wsResult{Mode: "ws", URL: l.url, Clients: l.clients, Heads: l.heads}
	var lastErr atomic.Value
	fail := func(err error) { lastErr.Store(err.Error()) }

	var rssMax atomic.Int64
	stopRSS := l.watchRSS(&rssMax)
	defer stopRSS()

	start, cpu0, watch := time.Now(), cpuTime(), startCPU(l.servers, l.serverCPU)
	clients, subscribed := l.connectAll(fail)
	res.Subscribed = subscribed
	res.ConnectS = time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "subscribed %d of %d clients in %.1fs\n", res.Subscribed, l.clients, res.ConnectS)

	// The window: the heads after the one the gateway has now.
	first, err := l.headNow()
	if err != nil {
		return res, err
	}
	first++
	res.FirstHead = first
	fmt.Fprintf(os.Stderr, "waiting for heads %d..%d\n", first, first+l.heads-1)
	var received sync.WaitGroup
	var closing atomic.Bool
	for _, c := range clients {
		if c == nil {
			continue
		}
		c.seen = make([]uint8, l.heads)
		received.Add(1)
		go func() {
			defer received.Done()
			if err := c.listen(first, l.heads); err != nil && !closing.Load() {
				fail(err)
			}
		}()
	}
	finished := make(chan struct{})
	go func() { received.Wait(); close(finished) }()
	var timedOut bool
	select {
	case <-finished:
	case <-time.After(l.timeout):
		timedOut = true
	}
	if l.rssPID != 0 {
		rss, hwm, err := memStatus(l.rssPID)
		if err != nil {
			fail(err)
		}
		rssMax.Store(max(rssMax.Load(), rss))
		res.HWMMB = float64(hwm) / (1 << 20)
	}
	closing.Store(true)
	for _, c := range clients {
		if c != nil {
			c.conn.Close()
		}
	}
	<-finished
	if timedOut {
		fail(fmt.Errorf("heads %d..%d did not all arrive within %s", first, first+l.heads-1, l.timeout))
	}
	res.CPU = (cpuTime() - cpu0).Seconds() / time.Since(start).Seconds()
	use := watch.stop()
	res.ServersCPU, res.OtherCPU, res.OtherServerCPU, res.CPUByServer = use.Servers, use.Other, use.OtherOnServerCPU, use.ByServer
	res.RSSMaxMB = float64(rssMax.Load()) / (1 << 20)

	l.tally(clients, &res)
	if s, ok := lastErr.Load().(string); ok {
		res.LastError = s
	}
	return res, nil
}

// connectAll connects and subscribes every client, a few dials at a
// time. A client that failed is nil; fail hears why.
func (l *wsLoad) connectAll(fail func(error)) ([]*wsClient, int64) {
	dialer := &websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 256, HandshakeTimeout: 30 * time.Second}
	clients := make([]*wsClient, l.clients)
	var subscribed atomic.Int64
	sem := make(chan struct{}, l.dialers)
	var dialed sync.WaitGroup
	for i := range clients {
		sem <- struct{}{}
		dialed.Add(1)
		go func() {
			defer func() { <-sem; dialed.Done() }()
			c, err := subscribe(dialer, l.url)
			if err != nil {
				fail(err)
				return
			}
			clients[i] = c
			subscribed.Add(1)
		}()
	}
	dialed.Wait()
	return clients, subscribed.Load()
}

// tally counts what the clients received: heads, duplicates, latencies.
func (l *wsLoad) tally(clients []*wsClient, res *wsResult) {
	var all []time.Duration
	for _, c := range clients {
		if c == nil {
			continue
		}
		all = append(all, c.samples...)
		res.MsgBytes = max(res.MsgBytes, c.size)
		for _, n := range c.seen {
			res.Received += int64(min(n, 1))
			res.Duplicated += int64(max(n, 1) - 1)
		}
	}
	res.Expected = int64(l.clients) * int64(l.heads)
	res.Missed = res.Expected - res.Received
	p := summarize(all)
	res.P50ms, res.P90ms, res.P99ms, res.MaxMs = millis(p.P50), millis(p.P90), millis(p.P99), millis(p.Max)
}

// subscribe connects one client and subscribes it to newHeads.
func subscribe(d *websocket.Dialer, url string) (*wsClient, error) {
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	if err := conn.WriteMessage(websocket.TextMessage, subscribeMsg); err != nil {
		conn.Close()
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	_, reply, err := conn.ReadMessage()
	if err != nil || !bytes.Contains(reply, []byte(`"result"`)) {
		conn.Close()
		return nil, fmt.Errorf("subscribe: %s %v", reply, err)
	}
	return &wsClient{conn: conn}, nil
}

// listen reads heads until head first+n-1 has come, timing those of the
// window [first, first+n).
func (c *wsClient) listen(first, n uint64) error {
	buf := make([]byte, 0, 4096)
	for {
		_, r, err := c.conn.NextReader()
		if err != nil {
			return err
		}
		buf, err = readInto(buf[:0], r)
		at := time.Now()
		if err != nil {
			return err
		}
		number, emitted, ok := parseHead(buf)
		if !ok || number < first {
			continue
		}
		c.size = len(buf)
		if number < first+n {
			c.seen[number-first]++
			c.samples = append(c.samples, at.Sub(time.Unix(0, int64(emitted))))
		}
		if number >= first+n-1 {
			return nil
		}
	}
}

func readInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

var (
	numberKey = []byte(`"number":"`)
	extraKey  = []byte(`"extraData":"0x`)
)

// parseHead reads a newHeads notification's block number and the emission
// time (Unix nanoseconds) the stub put in its extraData.
func parseHead(msg []byte) (number, emitted uint64, ok bool) {
	i := bytes.Index(msg, numberKey)
	j := bytes.Index(msg, extraKey)
	if i < 0 || j < 0 {
		return 0, 0, false
	}
	rest := msg[i+len(numberKey):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return 0, 0, false
	}
	if number, ok = parseHex(rest[:end]); !ok {
		return 0, 0, false
	}
	extra := msg[j+len(extraKey):]
	var raw [8]byte
	if len(extra) < 17 || extra[16] != '"' {
		return 0, 0, false
	}
	if _, err := hex.Decode(raw[:], extra[:16]); err != nil {
		return 0, 0, false
	}
	return number, binary.BigEndian.Uint64(raw[:]), true
}

// headNow asks the gateway, over HTTP, for its head.
func (l *wsLoad) headNow() (uint64, error) {
	t, err := parseTarget("http" + strings.TrimPrefix(l.url, "ws"))
	if err != nil {
		return 0, err
	}
	return (&httpLoad{target: t}).head()
}

// watchRSS samples the watched process's VmRSS into peak until stopped.
func (l *wsLoad) watchRSS(peak *atomic.Int64) (stop func()) {
	if l.rssPID == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		t := time.NewTicker(l.rssSample)
		defer t.Stop()
		for {
			if rss, _, err := memStatus(l.rssPID); err == nil && rss > peak.Load() {
				peak.Store(rss)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return cancel
}
