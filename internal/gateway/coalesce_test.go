package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// coalesceAPI is a node whose eth_hold call keeps one post in flight until
// the test lets it go.
type coalesceAPI struct {
	entered chan struct{}
	release chan struct{}
}

func (a *coalesceAPI) Hold() int {
	a.entered <- struct{}{}
	<-a.release
	return 0
}
func (a *coalesceAPI) Echo(n int) int          { return n }
func (a *coalesceAPI) Big(n int) string        { return strings.Repeat("x", n) }
func (a *coalesceAPI) Revert() (string, error) { return "", revertError{} }

// countedNode serves a coalesceAPI on go-ethereum's real JSON-RPC server and
// records how many calls each post to it carried.
type countedNode struct {
	api *coalesceAPI
	url string

	failing atomic.Bool // answer every post with HTTP 503

	mu    sync.Mutex
	posts []int
}

func serveCountedNode(t *testing.T, maxAnswerBytes int) *countedNode {
	t.Helper()
	n := &countedNode{api: &coalesceAPI{entered: make(chan struct{}, 1), release: make(chan struct{})}}
	srv := rpc.NewServer()
	if maxAnswerBytes > 0 {
		srv.SetBatchLimits(1000, maxAnswerBytes)
	}
	if err := srv.RegisterName("eth", n.api); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls := 1
		if body = bytes.TrimSpace(body); len(body) > 0 && body[0] == '[' {
			var batch []json.RawMessage
			json.Unmarshal(body, &batch)
			calls = len(batch)
		}
		n.mu.Lock()
		n.posts = append(n.posts, calls)
		n.mu.Unlock()
		if n.failing.Load() {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { close(n.api.release); hs.Close(); srv.Stop() })
	n.url = hs.URL
	return n
}

func (n *countedNode) calls() []int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]int(nil), n.posts...)
}

// holding sends eth_hold through c and returns once the node holds it;
// release lets it finish.
func (n *countedNode) holding(t *testing.T, c Conn) (release func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, _, err := c.send(context.Background(), []*request{{Method: "eth_hold"}})
		done <- err
	}()
	<-n.api.entered
	return func() {
		n.api.release <- struct{}{}
		if err := <-done; err != nil {
			t.Errorf("eth_hold: %v", err)
		}
	}
}

func queued(c Conn) int {
	co := c.(*coalescer)
	co.mu.Lock()
	defer co.mu.Unlock()
	return len(co.queue)
}

// coalescedNode returns a node and a coalescer of one post in front of it.
func coalescedNode(t *testing.T, maxAnswerBytes int) (*countedNode, Conn) {
	t.Helper()
	node := serveCountedNode(t, maxAnswerBytes)
	conn, err := HTTPConn(node.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return node, Coalesce(conn, 1)
}

// heldCoalescer is coalescedNode with its one post taken by eth_hold, and
// the function that lets that post finish.
func heldCoalescer(t *testing.T, maxAnswerBytes int) (*countedNode, Conn, func()) {
	t.Helper()
	node, c := coalescedNode(t, maxAnswerBytes)
	return node, c, node.holding(t, c)
}

// awaitQueued waits until n messages wait in c's queue.
func awaitQueued(t *testing.T, c Conn, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		queued := queued(c)
		if queued == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages queued, want %d", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func echoes(from, n int) []*request {
	reqs := make([]*request, n)
	for i := range reqs {
		reqs[i] = &request{Method: "eth_echo", Params: json.RawMessage(fmt.Sprintf("[%d]", from+i))}
	}
	return reqs
}

type sent struct {
	results []json.RawMessage
	errs    []error
	err     error
}

// sendQueued sends each message through c from a goroutine of its own,
// in order, each once the one before waits in c's queue.
func sendQueued(t *testing.T, ctx context.Context, c Conn, msgs ...[]*request) []chan sent {
	t.Helper()
	out := make([]chan sent, len(msgs))
	before := queued(c)
	for i, reqs := range msgs {
		out[i] = make(chan sent, 1)
		go func() {
			results, errs, err := c.send(ctx, reqs)
			out[i] <- sent{results, errs, err}
		}()
		awaitQueued(t, c, before+i+1)
	}
	return out
}

func TestCoalesceCombinesWhatWaits(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int // calls in each waiting message
		posts []int // calls in each post the node sees after eth_hold
	}{
		{"singles go as one batch", []int{1, 1, 1, 1}, []int{4}},
		{"batches join singles", []int{3, 1, 10}, []int{14}},
		{"a batch never splits", []int{40, 20}, []int{40, 20}},
		{"a batch over the bound goes alone", []int{1, 60, 1}, []int{1, 60, 1}},
		{"in order, up to the bound", []int{30, 20, 1}, []int{50, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node, c, release := heldCoalescer(t, 0)
			var msgs [][]*request
			from := 0
			for _, n := range tt.sizes {
				msgs = append(msgs, echoes(from, n))
				from += n
			}
			answers := sendQueued(t, context.Background(), c, msgs...)
			release()
			from = 0
			for i, ch := range answers {
				a := <-ch
				if a.err != nil {
					t.Fatalf("message %d: %v", i, a.err)
				}
				for j, r := range a.results {
					if string(r) != fmt.Sprint(from+j) || a.errs[j] != nil {
						t.Fatalf("message %d call %d: got %s, %v; want %d", i, j, r, a.errs[j], from+j)
					}
				}
				from += tt.sizes[i]
			}
			if got := node.calls()[1:]; fmt.Sprint(got) != fmt.Sprint(tt.posts) {
				t.Errorf("posts after the held one carried %v calls, want %v", got, tt.posts)
			}
		})
	}
}

func TestCoalesceAnswersEachItsOwn(t *testing.T) {
	node, c, release := heldCoalescer(t, 0)
	answers := sendQueued(t, context.Background(), c,
		echoes(7, 1),
		[]*request{{Method: "eth_revert"}, {Method: "eth_nope"}},
		echoes(8, 1),
	)
	release()
	first, second, third := <-answers[0], <-answers[1], <-answers[2]
	if first.err != nil || string(first.results[0]) != "7" || third.err != nil || string(third.results[0]) != "8" {
		t.Fatalf("echoes: %+v, %+v", first, third)
	}
	var revert, unknown rpc.Error
	if second.err != nil || !errors.As(second.errs[0], &revert) || revert.ErrorCode() != 3 ||
		!errors.As(second.errs[1], &unknown) || unknown.ErrorCode() != -32601 {
		t.Fatalf("errors: %+v", second)
	}
	if got := node.calls(); len(got) != 2 {
		t.Errorf("posts: %v, want the held one and one batch", got)
	}
}

func TestCoalesceDropsWhoLeft(t *testing.T) {
	node, c, release := heldCoalescer(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	gone := sendQueued(t, ctx, c, echoes(0, 5))
	stays := sendQueued(t, context.Background(), c, echoes(5, 1)) // queued second
	cancel()
	var terr *transportError
	if a := <-gone[0]; !errors.As(a.err, &terr) || !errors.Is(a.err, context.Canceled) {
		t.Fatalf("a message whose client left: %v, want a transport error for its context", a.err)
	}
	awaitQueued(t, c, 1)
	release()
	if a := <-stays[0]; a.err != nil || string(a.results[0]) != "5" {
		t.Fatalf("the one that stayed: %+v", a)
	}
	if got := node.calls()[1:]; fmt.Sprint(got) != "[1]" {
		t.Errorf("posts after the held one: %v, want only the call still wanted", got)
	}
}

func TestCoalesceSendsTooLargeAgainAlone(t *testing.T) {
	node, c, release := heldCoalescer(t, 4000)
	big := func() []*request { return []*request{{Method: "eth_big", Params: json.RawMessage(`[3000]`)}} }
	// go-ethereum answers calls until their answers pass the limit, and
	// every call after that with -32003.
	answers := sendQueued(t, context.Background(), c, big(), big(), big())
	release()
	for i, ch := range answers {
		a := <-ch
		if a.err != nil || a.errs[0] != nil || len(a.results[0]) != 3002 {
			t.Fatalf("message %d: %v %v %.40s", i, a.err, a.errs, a.results)
		}
	}
	if got := node.calls()[1:]; fmt.Sprint(got) != "[3 1]" {
		t.Errorf("posts after the held one: %v, want the batch, then the call past the size limit alone", got)
	}
}

func TestCoalesceTransportFailureReachesAll(t *testing.T) {
	node, c, release := heldCoalescer(t, 0)
	answers := sendQueued(t, context.Background(), c, echoes(0, 1), echoes(1, 2))
	node.failing.Store(true)
	release()
	for i, ch := range answers {
		var terr *transportError
		if a := <-ch; !errors.As(a.err, &terr) || !strings.Contains(a.err.Error(), "503") {
			t.Fatalf("message %d: %+v, want the batch's transport failure", i, a)
		}
	}
}

func TestCoalesceOffWithoutBound(t *testing.T) {
	conn, _ := HTTPConn("http://127.0.0.1:1", nil)
	if Coalesce(conn, 0) != conn {
		t.Fatal("Coalesce(conn, 0) should be conn itself")
	}
}

// Through the gateway: clients' calls that wait for the one post to a node
// reach it as one batch, and each client gets its own answer.
func TestGatewayCoalesces(t *testing.T) {
	node, c := coalescedNode(t, 0)
	p := &fakeProbe{}
	p.Set(fitStatus("node", 100))
	url, _ := serveGateway(t, NewUpstream("node", c, p))

	held := make(chan string, 1)
	post := func(body string) string {
		_, out, err := tryPost(url, body)
		if err != nil {
			t.Errorf("POST %s: %v", body, err)
		}
		return out
	}
	go func() { held <- post(`{"jsonrpc":"2.0","id":1,"method":"eth_hold"}`) }()
	<-node.api.entered
	const clients = 16
	bodies := make(chan [2]string, clients)
	for i := range clients {
		go func() {
			body := post(fmt.Sprintf(`{"jsonrpc":"2.0","id":"c%d","method":"eth_echo","params":[%d]}`, i, i))
			bodies <- [2]string{fmt.Sprintf(`{"jsonrpc":"2.0","id":"c%d","result":%d}`, i, i), body}
		}()
	}
	awaitQueued(t, c, clients)
	node.api.release <- struct{}{}
	if body := <-held; !jsonEqual(body, `{"jsonrpc":"2.0","id":1,"result":0}`) {
		t.Errorf("eth_hold: %s", body)
	}
	for range clients {
		b := <-bodies
		if !jsonEqual(b[0], b[1]) {
			t.Errorf("got %s, want %s", b[1], b[0])
		}
	}
	if got := node.calls(); fmt.Sprint(got) != fmt.Sprintf("[1 %d]", clients) {
		t.Errorf("posts carried %v calls, want [1 %d]", got, clients)
	}
}

func TestCoalesceMetrics(t *testing.T) {
	node, c, release := heldCoalescer(t, 0)
	p := &fakeProbe{}
	p.Set(fitStatus("node", 100))
	r := newTestRouter(t, []*Upstream{NewUpstream("node", c, p)})
	answers := sendQueued(t, context.Background(), c, echoes(0, 1), echoes(1, 1), echoes(2, 1))
	want := func(waited, queued int) string {
		return fmt.Sprintf(`
# HELP ethfleet_gateway_upstream_queued Messages waiting now for one of the node's gateway.upstreamConcurrency posts.
# TYPE ethfleet_gateway_upstream_queued gauge
ethfleet_gateway_upstream_queued{upstream="node"} %d
# HELP ethfleet_gateway_upstream_waited_total Messages that waited for one of the node's gateway.upstreamConcurrency posts (and went combined).
# TYPE ethfleet_gateway_upstream_waited_total counter
ethfleet_gateway_upstream_waited_total{upstream="node"} %d
`, queued, waited)
	}
	names := []string{"ethfleet_gateway_upstream_queued", "ethfleet_gateway_upstream_waited_total"}
	if err := testutil.CollectAndCompare(viewCollector{r}, strings.NewReader(want(3, 3)), names...); err != nil {
		t.Error(err)
	}
	release()
	for _, ch := range answers {
		<-ch
	}
	if err := testutil.CollectAndCompare(viewCollector{r}, strings.NewReader(want(3, 0)), names...); err != nil {
		t.Error(err)
	}
	if got := node.calls(); len(got) != 2 {
		t.Errorf("posts: %v", got)
	}
}
