package gateway

import (
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/probe"
	"github.com/prometheus/client_golang/prometheus"
)

func TestStalledNodeIsUnfitWithinOneInterval(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	r, a, b := twoNodes(t, clock)
	// Both follow blocks 10..13, one a second.
	for head := uint64(10); head <= 13; head++ {
		a.Set(fitStatus("a", head))
		b.Set(fitStatus("b", head))
		r.refresh()
		clock.advance(time.Second)
	}
	fit := func(name string) (bool, string) {
		for _, u := range r.View().Upstreams {
			if u.Name == name {
				return u.Fit, u.Reason
			}
		}
		t.Fatalf("no upstream %s", name)
		return false, ""
	}
	// a gets block 14; b does not.
	a.Set(fitStatus("a", 14))
	r.refresh()
	tests := []struct {
		after time.Duration
		fit   bool
	}{
		{0, true},                        // one block behind, within maxLag
		{999 * time.Millisecond, true},   // still within one block interval
		{1001 * time.Millisecond, false}, // stalled
	}
	start := clock.t
	for _, tt := range tests {
		clock.t = start.Add(tt.after)
		r.refresh()
		if got, why := fit("b"); got != tt.fit {
			t.Errorf("%s after block 14: b fit=%v (%s), want %v", tt.after, got, why, tt.fit)
		}
	}
	if _, why := fit("b"); !strings.Contains(why, "stalled at block 13") {
		t.Errorf("reason %q", why)
	}
	if ok, _ := fit("a"); !ok {
		t.Error("a, at the head, judged unfit")
	}
	// b catches up: fit again.
	b.Set(fitStatus("b", 14))
	r.refresh()
	if ok, why := fit("b"); !ok {
		t.Errorf("b at the head again but unfit: %s", why)
	}
}

// TestPolledNodeIsJudgedAsOfItsPoll: a node without a WebSocket is polled
// every 2 s on a chain of 1 s blocks; it is not stalled for having been
// at its head when polled a second ago, only if its last poll found it
// behind for more than a block interval.
func TestPolledNodeIsJudgedAsOfItsPoll(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	r, a, b := twoNodes(t, clock)
	polled := func(head uint64, at time.Time) probe.Status {
		s := fitStatus("b", head)
		s.Pushed, s.Updated = false, at
		return s
	}
	for head := uint64(10); head <= 13; head++ {
		a.Set(fitStatus("a", head))
		b.Set(polled(head, clock.t))
		r.refresh()
		clock.advance(time.Second)
	}
	a.Set(fitStatus("a", 14)) // b's last poll was a second ago, at 13
	r.refresh()
	lastPoll := clock.t.Add(-time.Second)
	tests := []struct {
		after  time.Duration
		polled time.Time // b's last poll
		fit    bool
	}{
		{1500 * time.Millisecond, lastPoll, true},                                 // polled before block 14: nothing known
		{1600 * time.Millisecond, clock.t.Add(900 * time.Millisecond), true},      // polled 0.9 s after block 14, at 13
		{2200 * time.Millisecond, clock.t.Add(1100 * time.Millisecond), false},    // polled 1.1 s after block 14, at 13
		{2300 * time.Millisecond, clock.t.Add(2 * time.Second), true /* at 14 */}, // and caught up
	}
	start := clock.t
	for i, tt := range tests {
		head := uint64(13)
		if i == len(tests)-1 {
			head = 14
		}
		b.Set(polled(head, tt.polled))
		clock.t = start.Add(tt.after)
		r.refresh()
		for _, u := range r.View().Upstreams {
			if u.Name == "b" && u.Fit != tt.fit {
				t.Errorf("%s after block 14, polled at +%s: b fit=%v (%s), want %v", tt.after, tt.polled.Sub(start), u.Fit, u.Reason, tt.fit)
			}
		}
	}
}

// twoNodes is a router over nodes a and b on clock, with a maxLag of 2.
func twoNodes(t *testing.T, clock *fakeClock) (*Router, *fakeProbe, *fakeProbe) {
	t.Helper()
	a, b := &fakeProbe{}, &fakeProbe{}
	ups := []*Upstream{NewUpstream("a", nil, a), NewUpstream("b", nil, b)}
	r, err := NewRouter(ups, nil, RouterConfig{MaxLag: 2, Now: clock.now}, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return r, a, b
}

func TestHeadClock(t *testing.T) {
	var c headClock
	t0 := time.Unix(0, 0)
	if c.interval() != 0 {
		t.Error("interval without heads")
	}
	c.observe(10, t0)
	c.observe(12, t0.Add(4*time.Second)) // two blocks in 4s
	c.observe(12, t0.Add(5*time.Second)) // not new
	c.observe(13, t0.Add(6*time.Second))
	if got := c.interval(); got != 2*time.Second {
		t.Errorf("interval = %s, want 2s", got)
	}
	if at, ok := c.reachedAt(11); !ok || !at.Equal(t0.Add(4*time.Second)) {
		t.Errorf("reachedAt(11) = %v, %v; want when 12 came", at, ok)
	}
	if _, ok := c.reachedAt(14); ok {
		t.Error("reachedAt a future block")
	}
}
