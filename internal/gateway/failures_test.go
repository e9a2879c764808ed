package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

func TestFailureWindow(t *testing.T) {
	var w failureWindow
	t0 := time.Unix(1_000_000, 0)
	for i := 0; i < 10; i++ {
		w.record(t0.Add(time.Duration(i)*100*time.Millisecond), i%2 == 0)
	}
	w.record(t0.Add(5*time.Second), true)
	tests := []struct {
		at            time.Duration
		total, failed int
	}{
		{0, 10, 5},
		{5 * time.Second, 11, 6},
		{9 * time.Second, 11, 6},
		{10 * time.Second, 1, 1}, // the first second has aged out
		{15 * time.Second, 0, 0},
		{time.Hour, 0, 0},
	}
	for _, tt := range tests {
		if total, failed := w.counts(t0.Add(tt.at)); total != tt.total || failed != tt.failed {
			t.Errorf("at +%s: %d of %d failed, want %d of %d", tt.at, failed, total, tt.failed, tt.total)
		}
	}
}

// limitedNode answers every call as over its limit, quickly: a node
// behind a provider's quota, say. Its latency alone would not keep
// requests from it.
type limitedNode struct{}

type limitError struct{}

func (limitError) Error() string  { return "request limit exceeded" }
func (limitError) ErrorCode() int { return codeLimitExceeded }

func (limitedNode) BlockNumber() (hexutil.Uint64, error) { return 0, limitError{} }

// TestFailingUpstreamUnfit puts a node whose probe finds it well but which
// refuses every call as over its limit beside a healthy one: its failures
// make it unfit, and client requests succeed meanwhile.
func TestFailingUpstreamUnfit(t *testing.T) {
	failing := upstream(t, "failing", serveRPC(t, limitedNode{}), true)
	healthy := upstream(t, "healthy", serveNode(t, 100), true)
	url, r := serveGateway(t, failing, healthy)
	for i := 0; i < minJudged; i++ {
		// As the gateway would send them, whichever way its choice fell.
		if _, errs, err := failing.send(t.Context(), []*request{{Method: "eth_blockNumber"}}); err != nil || !limited(errs[0]) {
			t.Fatalf("the failing node answered %v, %v", errs, err)
		}
		if _, got := post(t, url, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`); !strings.Contains(got, `"result"`) {
			t.Fatalf("request %d: %s", i, got)
		}
	}
	r.refresh()
	s := r.View().Upstreams[0]
	if s.Fit || !strings.Contains(s.Reason, "requests failed") {
		t.Fatalf("failing upstream: fit %v, reason %q (%d of %d failed)", s.Fit, s.Reason, s.Failures, s.Requests)
	}
	if h := r.View().Upstreams[1]; !h.Fit || h.Failures != 0 {
		t.Fatalf("healthy upstream: %+v", h)
	}
}

// TestAllFailingStayFit: when every upstream fails, none is judged by it,
// since the fault is more likely the requests'.
func TestAllFailingStayFit(t *testing.T) {
	url, r := serveGateway(t, upstream(t, "a", unavailableURL(t), true), upstream(t, "b", unavailableURL(t), true))
	for i := 0; i < 20; i++ {
		post(t, url, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`)
	}
	r.refresh()
	if v := r.View(); v.Fit != 2 {
		t.Fatalf("%d fit, want 2: %+v", v.Fit, v.Upstreams)
	}
}

// TestPenaltyFades: an upstream penalised for a failure, then left alone,
// takes its probe's round trips as its latency, so it gets requests again.
func TestPenaltyFades(t *testing.T) {
	u := NewUpstream("u", nil, &fakeProbe{})
	u.observe(failurePenalty)
	before := u.load()
	u.observeProbe(time.Millisecond)
	if u.load() != before {
		t.Fatal("a probe round trip counted right after a request")
	}
	u.observed.Store(time.Now().Add(-idleAfter).UnixNano())
	for i := 0; i < 30; i++ {
		u.observeProbe(time.Millisecond)
		u.observed.Store(time.Now().Add(-idleAfter).UnixNano())
	}
	if u.load() > 0.01 {
		t.Fatalf("load %.3fs after 30 quick probes, want near 1ms", u.load())
	}
}

// TestDrain takes an upstream out of rotation and lets it back.
func TestDrain(t *testing.T) {
	a, b := upstream(t, "a", serveNode(t, 100), true), upstream(t, "b", serveNode(t, 100), true)
	r := newTestRouter(t, []*Upstream{a, b})
	if !r.Drain("a", true) || r.Drain("nobody", true) {
		t.Fatal("Drain by name")
	}
	if v := r.View(); v.Fit != 1 || v.Upstreams[0].Fit || v.Upstreams[0].Reason != "out of rotation (drained)" {
		t.Fatalf("drained: %+v", v.Upstreams[0])
	}
	for range 20 {
		if c := r.candidates(); len(c) != 1 || c[0] != b {
			t.Fatal("a drained upstream was offered")
		}
	}
	r.Drain("a", false)
	if v := r.View(); v.Fit != 2 {
		t.Fatalf("after drain: %d fit", v.Fit)
	}
}

// A call the client gave up on says nothing of the upstream: no failure,
// and no round trip (least of all the failure penalty) in its latency.
func TestClientLeavingCostsUpstreamNothing(t *testing.T) {
	arrived, done := make(chan struct{}), make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-done
	}))
	t.Cleanup(func() { close(done); hs.Close() })
	conn, err := HTTPConn(hs.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := NewUpstream("u", conn, &fakeProbe{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	if _, _, err := u.send(ctx, []*request{{Method: "eth_blockNumber"}}); err == nil {
		t.Fatal("a cancelled call answered")
	}
	if u.load() != 0 {
		t.Errorf("load %v after a call the client gave up on, want 0 (nothing observed)", u.load())
	}
}
