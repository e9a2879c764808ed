package gateway

import (
	"net/http/httptest"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/ethfleet/ethfleet/internal/await"

	"context"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"runtime"
	"sync/atomic"

	"github.com/gorilla/websocket"

	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// filterNode keeps its own filters, as every node does: a filter made on
// one node is unknown to every other.
type filterNode struct {
	name    string
	delay   time.Duration
	mu      sync.Mutex
	next    int
	filters map[string]bool
}

type filterAPI struct{ n *filterNode }

func (a filterAPI) NewBlockFilter() string {
	time.Sleep(a.n.delay)
	a.n.mu.Lock()
	defer a.n.mu.Unlock()
	a.n.next++
	id := fmt.Sprintf("0x%x%02d", a.n.name, a.n.next)
	if a.n.filters == nil {
		a.n.filters = map[string]bool{}
	}
	a.n.filters[id] = true
	return id
}

func (a filterAPI) GetFilterChanges(id string) ([]string, error) {
	a.n.mu.Lock()
	defer a.n.mu.Unlock()
	if !a.n.filters[id] {
		return nil, errors.New("filter not found")
	}
	time.Sleep(a.n.delay) // the node that has the filter looks busier
	return []string{}, nil
}

func (a filterAPI) UninstallFilter(id string) bool {
	a.n.mu.Lock()
	defer a.n.mu.Unlock()
	ok := a.n.filters[id]
	delete(a.n.filters, id)
	return ok
}

// TestNewFilterIsNotMerged: two clients that each create a block filter
// at the same moment get two filters, in-flight merging on: one shared
// filter would have each one's eth_getFilterChanges take the other's
// blocks, and one's eth_uninstallFilter end the other's.
func TestNewFilterIsNotMerged(t *testing.T) {
	n := &filterNode{name: "a", delay: 200 * time.Millisecond}
	u := upstream(t, "a", serveRPC(t, filterAPI{n}), true)
	url := serveWith(t, Config{MergeInFlight: true}, u)
	const clients = 4
	ids := make([]string, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			_, body := post(t, url, `{"jsonrpc":"2.0","id":`+strconv.Itoa(i)+`,"method":"eth_newBlockFilter"}`)
			var r struct{ Result string }
			json.Unmarshal([]byte(body), &r)
			ids[i] = r.Result
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("two clients got the same filter %s: %v (node made %d filters)", id, ids, n.next)
			break
		}
		seen[id] = true
	}
}

// TestFilterCallsStayOnTheirNode: a filter lives on the node that made
// it, and every poll of it goes there, not to a node that never heard of
// it.
func TestFilterCallsStayOnTheirNode(t *testing.T) {
	a, b := &filterNode{name: "a", delay: 5 * time.Millisecond}, &filterNode{name: "b", delay: 5 * time.Millisecond}
	url := serveWith(t, Config{},
		upstream(t, "a", serveRPC(t, filterAPI{a}), true),
		upstream(t, "b", serveRPC(t, filterAPI{b}), true))
	_, body := post(t, url, `{"jsonrpc":"2.0","id":1,"method":"eth_newBlockFilter"}`)
	var r struct{ Result string }
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Result == "" {
		t.Fatalf("eth_newBlockFilter: %s", body)
	}
	failed := 0
	for i := range 50 {
		_, got := post(t, url, `{"jsonrpc":"2.0","id":`+strconv.Itoa(i)+`,"method":"eth_getFilterChanges","params":["`+r.Result+`"]}`)
		if strings.Contains(got, "filter not found") {
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%d of 50 polls of filter %s went to a node that does not have it", failed, r.Result)
	}
}

// rangeNode answers eth_getLogs over a range as go-ethereum does: a range
// that starts above its head is "invalid block range params" (geth's
// searchSession.updateChainView), one that ends above it is refused too.
type rangeNode struct {
	head  uint64
	delay time.Duration
}

func (n rangeNode) GetLogs(filter struct {
	FromBlock string `json:"fromBlock"`
	ToBlock   string `json:"toBlock"`
}) ([]any, error) {
	num := func(s string) uint64 {
		if s == "latest" || s == "" {
			return n.head
		}
		v, _ := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
		return v
	}
	from, to := num(filter.FromBlock), num(filter.ToBlock)
	switch {
	case from > to:
		return nil, errors.New("invalid block range params")
	case to > n.head:
		return nil, errors.New("block range extends beyond current head block")
	}
	time.Sleep(n.delay)
	return []any{}, nil
}

// TestGetLogsFromBlockGoesToANodeThatHasIt: a client that has seen block
// 100 asks for the logs from 100 to latest; the node at 99, fit (within
// MaxLag), would refuse the range, and is not asked.
func TestGetLogsFromBlockGoesToANodeThatHasIt(t *testing.T) {
	// The node ahead is a little slower, as the busier node often is.
	ahead := upstream(t, "ahead", serveRPC(t, rangeNode{head: 100, delay: 5 * time.Millisecond}), true)
	behind := upstream(t, "behind", serveRPC(t, rangeNode{head: 99}), true)
	behind.probe.(*fakeProbe).Set(fitStatus("behind", 99))
	url := serveWith(t, Config{}, ahead, behind)
	failed := 0
	for i := range 40 {
		_, got := post(t, url, `{"jsonrpc":"2.0","id":`+strconv.Itoa(i)+`,"method":"eth_getLogs","params":[{"fromBlock":"0x64","toBlock":"latest"}]}`)
		if strings.Contains(got, "error") {
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%d of 40 eth_getLogs from block 100 went to the node at 99", failed)
	}
}

// TestSubscriptionIDBeforeItsNotifications: go-ethereum's client (and
// most others) drops a notification for a subscription id it has not been
// given yet, so no notification may come before the eth_subscribe answer,
// however soon a head follows it (go-ethereum's server, likewise,
// activates a subscription only after its answer is written).
func TestSubscriptionIDBeforeItsNotifications(t *testing.T) {
	s, url := serveFeedOnly(t, false)
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var outstanding atomic.Bool
	kick := make(chan struct{}, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		header := json.RawMessage(`{"number":"0x1"}`)
		for {
			select {
			case <-done:
				return
			case <-kick:
			}
			// Publish while the client waits for its subscription's id
			// (at most 50 heads, so the queue never fills).
			for i := 0; i < 50 && outstanding.Load(); i++ {
				s.heads.publish(header)
				runtime.Gosched()
			}
		}
	}()
	known := map[string]bool{}
	// Without the gate a notification came first within a few dozen.
	for i := 1; i <= 2000; i++ {
		outstanding.Store(true)
		kick <- struct{}{}
		msg := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_subscribe","params":["newHeads"]}`, i)
		if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		var subID string
		for subID == "" {
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, b, err := conn.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				ID     json.RawMessage
				Result string
				Params struct{ Subscription string }
			}
			json.Unmarshal(b, &m)
			switch {
			case string(m.ID) == strconv.Itoa(i):
				subID = m.Result
			case m.Params.Subscription != "" && !known[m.Params.Subscription]:
				t.Fatalf("subscription %d: a notification for %s came before the answer that names it", i, m.Params.Subscription)
			}
		}
		outstanding.Store(false)
		known[subID] = true
		// One subscription at a time, so the queue never fills: the next
		// starts once this one's eth_unsubscribe is answered.
		unsub := fmt.Sprintf(`{"jsonrpc":"2.0","id":"u%d","method":"eth_unsubscribe","params":["%s"]}`, i, subID)
		if err := conn.WriteMessage(websocket.TextMessage, []byte(unsub)); err != nil {
			t.Fatal(err)
		}
		for {
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, b, err := conn.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), fmt.Sprintf(`"id":"u%d"`, i)) {
				break
			}
		}
	}
}

// chainLogsNode serves headers from a chainNode and each block's logs by
// hash; the first eth_getLogs for a block may fail, as a node does for a
// moment (busy, restarting, a proxy's 502).
type chainLogsNode struct {
	*chainNode
	mu       sync.Mutex
	logs     map[common.Hash][]*types.Log
	failOnce map[common.Hash]bool // blocks whose first eth_getLogs fails
	asked    map[common.Hash]bool
}

func (n *chainLogsNode) GetLogs(filter struct {
	BlockHash common.Hash `json:"blockHash"`
}) ([]*types.Log, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	first := !n.asked[filter.BlockHash]
	n.asked[filter.BlockHash] = true
	if n.failOnce[filter.BlockHash] && first {
		return nil, errors.New("temporarily unavailable")
	}
	return n.logs[filter.BlockHash], nil
}

func logAt(number uint64, hash common.Hash, index uint) *types.Log {
	return &types.Log{Address: addrA, Topics: []common.Hash{topicX}, Data: []byte{}, BlockNumber: number, BlockHash: hash, Index: index}
}

// feedFor is a head feed over one node, with a logs subscriber, and a
// function that moves the node's head and lets the feed follow.
func feedFor(t *testing.T, node *chainLogsNode) (chan json.RawMessage, func(uint64, common.Hash)) {
	u := upstream(t, "node", serveRPC(t, node), true)
	r := newTestRouter(t, []*Upstream{u})
	f := newHeadFeed(r, nil, new(watermark))
	ch := make(chan json.RawMessage, 64)
	f.subscribeLogs(logFilter{}, chanSink(ch), func() { t.Error("too slow") })
	return ch, headMover(u, r, f)
}

// headMover returns a function that sets the head of u, the one node of
// r, and has f follow it.
func headMover(u *Upstream, r *Router, f *headFeed) func(uint64, common.Hash) {
	return func(n uint64, h common.Hash) {
		s := fitStatus(u.name, n)
		s.Head.Hash = h
		u.probe.(*fakeProbe).Set(s)
		r.refresh()
		f.advance(context.Background())
	}
}

func drainLogs(t *testing.T, ch chan json.RawMessage) []types.Log {
	var got []types.Log
	for len(ch) > 0 {
		var l types.Log
		if err := json.Unmarshal(<-ch, &l); err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	return got
}

// TestLogsSurviveAFailedFetch: the feed fails once to fetch block 4's
// logs; the block is sent on the next try, with its logs, not sent without
// them.
func TestLogsSurviveAFailedFetch(t *testing.T) {
	a := chain('a', 1, 6, nil)
	node := &chainLogsNode{chainNode: &chainNode{hashes: a}, failOnce: map[common.Hash]bool{a[4]: true}, asked: map[common.Hash]bool{},
		logs: map[common.Hash][]*types.Log{a[4]: {logAt(4, a[4], 0)}, a[5]: {logAt(5, a[5], 0)}, a[6]: {logAt(6, a[6], 0)}}}
	ch, setHead := feedFor(t, node)
	setHead(3, a[3])
	for n := uint64(4); n <= 6; n++ {
		setHead(n, a[n])
		setHead(n, a[n]) // the feed looks again at every view change
	}
	blocks := map[uint64]bool{}
	for _, l := range drainLogs(t, ch) {
		blocks[l.BlockNumber] = true
	}
	for n := uint64(4); n <= 6; n++ {
		if !blocks[n] {
			t.Errorf("the log of block %d never reached the subscriber (got blocks %v)", n, blocks)
		}
	}
}

// TestRemovedLogsInGethsOrder: go-ethereum sends the logs a reorg
// removes oldest block first, each block's logs in order ("forward order",
// core/blockchain.go reorg), and so does the gateway.
func TestRemovedLogsInGethsOrder(t *testing.T) {
	a := chain('a', 1, 6, nil)
	b := chain('b', 5, 7, chain('a', 1, 4, nil))
	node := &chainLogsNode{chainNode: &chainNode{hashes: a}, asked: map[common.Hash]bool{},
		logs: map[common.Hash][]*types.Log{
			a[5]: {logAt(5, a[5], 0), logAt(5, a[5], 1)},
			a[6]: {logAt(6, a[6], 2), logAt(6, a[6], 3)},
		}}
	ch, setHead := feedFor(t, node)
	setHead(4, a[4])
	setHead(6, a[6])
	drainLogs(t, ch)
	node.chainNode.mu.Lock()
	node.chainNode.hashes = b
	node.chainNode.mu.Unlock()
	setHead(7, b[7])
	var removed []uint
	for _, l := range drainLogs(t, ch) {
		if l.Removed {
			removed = append(removed, l.Index)
		}
	}
	if want := []uint{0, 1, 2, 3}; !slices.Equal(removed, want) {
		t.Errorf("removed logs came in order %v (by log index), geth sends %v", removed, want)
	}
}

// TestSlowReaderGetsACloseCode: a client that reads too slowly (its
// socket buffers full, as a real slow consumer's are) is dropped when its
// queue fills, and told so (1008 and a reason), though the close frame has
// to wait seconds for the write in progress to end.
func TestSlowReaderGetsACloseCode(t *testing.T) {
	s, url := serveFeedOnly(t, false)
	conn := subscribeHeads(t, url)
	var c *wsConn
	s.conns.Range(func(k, _ any) bool { c = k.(*wsConn); return false })
	header := json.RawMessage(`{"number":"0x1","extra":"` + strings.Repeat("ab", 8<<10) + `"}`)
	queued := func() int { c.qmu.Lock(); defer c.qmu.Unlock(); return len(c.queue) }
	// Fill the socket buffers one head at a time, each written before the
	// next, until a head stays queued: the socket takes no more.
	for i := 0; ; i++ {
		if i > 100_000 {
			t.Fatal("the socket never filled")
		}
		s.heads.publish(header)
		deadline := time.Now().Add(200 * time.Millisecond)
		for queued() > 0 && time.Now().Before(deadline) {
			runtime.Gosched()
		}
		if queued() > 0 {
			t.Logf("socket full after %d heads", i+1)
			break
		}
	}
	// The client reads until the blocked write ends and the writer takes
	// the heads queued meanwhile as one write of 3 MiB, which blocks.
	for range 200 {
		s.heads.publish(header)
	}
	for queued() > 0 {
		if _, _, err := conn.ReadMessage(); err != nil {
			t.Fatal(err)
		}
	}
	// More heads than the queue holds: the client is too slow.
	for range wsQueue + 1 {
		s.heads.publish(header)
	}
	await.True(t, 10*time.Second, "the slow client to be dropped", func() bool {
		s.heads.mu.Lock()
		defer s.heads.mu.Unlock()
		return len(s.heads.subs) == 0
	})
	// A slow reader is still slow, but reads: 16 KiB every 10 ms, so the
	// write in progress (up to a queue's worth) takes seconds to finish.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	start, read := time.Now(), 0
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Logf("read %d bytes in %s", read, time.Since(start))
			var ce *websocket.CloseError
			if !asCloseError(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
				t.Fatalf("connection ended with %v, want close 1008 (too slow)", err)
			}
			return
		}
		read += len(msg)
		time.Sleep(10 * time.Millisecond)
	}
}

// invalidRequestError is an upstream's JSON-RPC error that happens to use
// -32600 (a proxy in front of a node, or a node refusing the call's form).
type invalidRequestError struct{}

func (invalidRequestError) Error() string  { return "invalid request" }
func (invalidRequestError) ErrorCode() int { return -32600 }

type oddAPI struct{}

func (oddAPI) Odd() error { return invalidRequestError{} }

// TestNotificationNeverAnswered: JSON-RPC 2.0 never answers a
// notification, even when the upstream answered it with -32600, the code
// the gateway's own "invalid request" answers use.
func TestNotificationNeverAnswered(t *testing.T) {
	url := serveWith(t, Config{}, upstream(t, "a", serveRPC(t, oddAPI{}), true))
	if _, got := post(t, url, `{"jsonrpc":"2.0","method":"eth_odd"}`); got != "" {
		t.Errorf("a notification was answered: %s", got)
	}
	if _, got := post(t, url, `[{"jsonrpc":"2.0","method":"eth_odd"},{"jsonrpc":"2.0","method":"eth_odd","params":[]}]`); got != "" {
		t.Errorf("a batch of notifications was answered: %s", got)
	}
}

// headsNode serves its chain's headers by hash and its head number, a
// little slowly if told to.
type headsNode struct {
	*chainNode
	head  uint64
	delay time.Duration
}

func (n *headsNode) BlockNumber() hexutil.Uint64 { time.Sleep(n.delay); return hexutil.Uint64(n.head) }

// TestBlockNumberNotBelowNewHeads: a client told of head 101 by its
// newHeads subscription, then asking eth_blockNumber, is not told 99 by
// the node 2 blocks behind, fit as it is.
func TestBlockNumberNotBelowNewHeads(t *testing.T) {
	c := chain('a', 1, 101, nil)
	ahead := &headsNode{chainNode: &chainNode{hashes: c}, head: 100, delay: 5 * time.Millisecond}
	behind := &headsNode{chainNode: &chainNode{hashes: c}, head: 99}
	ua := upstream(t, "ahead", serveRPC(t, ahead), true)
	ub := upstream(t, "behind", serveRPC(t, behind), true)
	s := newServerWith(t, Config{}, ua, ub)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	ch := make(chan json.RawMessage, 16)
	s.heads.subscribe(chanSink(ch), func() { t.Error("too slow") })
	set := func(u *Upstream, n uint64) {
		st := fitStatus(u.name, n)
		st.Head.Hash = c[n]
		u.probe.(*fakeProbe).Set(st)
	}
	set(ub, 99)
	set(ua, 100)
	s.router.refresh()
	s.heads.advance(context.Background()) // the feed starts at 100
	ahead.head = 101
	set(ua, 101)
	s.router.refresh()
	s.heads.advance(context.Background())
	var h struct{ Number hexutil.Uint64 }
	json.Unmarshal(<-ch, &h)
	if h.Number != 101 {
		t.Fatalf("newHeads sent %d, want 101", h.Number)
	}
	for i := range 20 {
		_, got := post(t, hs.URL, `{"jsonrpc":"2.0","id":`+strconv.Itoa(i)+`,"method":"eth_blockNumber"}`)
		var r struct{ Result hexutil.Uint64 }
		json.Unmarshal([]byte(got), &r)
		if r.Result < h.Number {
			t.Fatalf("after newHeads %d, eth_blockNumber answered %d", h.Number, r.Result)
		}
	}
}
