package gateway

import (
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/latest"
	"github.com/ethfleet/ethfleet/internal/probe"
)

// fakeProbe is a StatusSource a test sets by hand.
type fakeProbe struct{ latest.Value[probe.Status] }

func (f *fakeProbe) Status() probe.Status { return f.Get() }

func fitStatus(name string, head uint64) probe.Status {
	return probe.Status{Name: name, Up: true, ChainID: 1337, Peers: 3, Head: probe.Head{Number: head}, HeadSeen: time.Unix(1, 0), Pushed: true}
}

func TestJudge(t *testing.T) {
	down := fitStatus("d", 10)
	down.Up, down.Err = false, "connection refused"
	syncing := fitStatus("s", 500)
	syncing.Syncing = true
	catchingUp := fitStatus("c", 9)
	catchingUp.Syncing, catchingUp.SyncTarget = true, 10
	farBehind := fitStatus("b", 9)
	farBehind.Syncing, farBehind.SyncTarget = true, 900
	otherChain := fitStatus("o", 900)
	otherChain.ChainID = 1
	lonely := fitStatus("l", 10)
	lonely.Peers = 0
	fresh := fitStatus("f", 0)
	fresh.HeadSeen = time.Time{}

	tests := []struct {
		name     string
		statuses []probe.Status
		maxLag   uint64
		chainID  uint64
		head     uint64
		fit      []bool
		reasons  []string
	}{
		{"all at head", []probe.Status{fitStatus("a", 10), fitStatus("b", 10)}, 2, 0, 10, []bool{true, true}, []string{"", ""}},
		{"within maxLag", []probe.Status{fitStatus("a", 10), fitStatus("b", 8)}, 2, 0, 10, []bool{true, true}, []string{"", ""}},
		{"beyond maxLag", []probe.Status{fitStatus("a", 10), fitStatus("b", 7)}, 2, 0, 10, []bool{true, false}, []string{"", "3 blocks behind the fleet"}},
		{"zero maxLag", []probe.Status{fitStatus("a", 10), fitStatus("b", 9)}, 0, 0, 10, []bool{true, false}, []string{"", "1 blocks behind the fleet"}},
		{"down and syncing do not set the head", []probe.Status{down, syncing, fitStatus("a", 9)}, 2, 0, 9, []bool{false, false, true},
			[]string{"unreachable: connection refused", "syncing", ""}},
		{"importing the newest block is not syncing", []probe.Status{catchingUp, fitStatus("a", 10)}, 2, 0, 10, []bool{true, true}, []string{"", ""}},
		{"syncing far behind", []probe.Status{farBehind, fitStatus("a", 10)}, 2, 0, 10, []bool{false, true}, []string{"syncing to block 900", ""}},
		{"outlier not believed", []probe.Status{fitStatus("a", 100), fitStatus("b", 99), fitStatus("liar", 10_000)}, 2, 0, 100, []bool{true, true, false},
			[]string{"", "", "head 10000 is far above the fleet's 100: not believed"}},
		{"ahead within the gap is believed", []probe.Status{fitStatus("a", 100), fitStatus("b", 100), fitStatus("c", 120)}, 2, 0, 120, []bool{false, false, true},
			[]string{"20 blocks behind the fleet", "20 blocks behind the fleet", ""}},
		{"two nodes: the higher is believed", []probe.Status{fitStatus("a", 100), fitStatus("b", 10_000)}, 2, 0, 10_000, []bool{false, true},
			[]string{"9900 blocks behind the fleet", ""}},
		{"wrong chain", []probe.Status{otherChain, fitStatus("a", 5)}, 2, 1337, 5, []bool{false, true}, []string{"on chain 1, not 1337", ""}},
		{"too few peers", []probe.Status{lonely, fitStatus("a", 10)}, 2, 0, 10, []bool{false, true}, []string{"0 peers, fewer than 1", ""}},
		{"no head yet", []probe.Status{fresh, fitStatus("a", 1)}, 2, 0, 1, []bool{false, true}, []string{"no head seen yet", ""}},
		{"nothing fit", []probe.Status{down}, 2, 0, 0, []bool{false}, []string{"unreachable: connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judge(tt.statuses, RouterConfig{MaxLag: tt.maxLag, ChainID: tt.chainID, OutlierGap: 32, MinPeers: 1})
			if v.Head != tt.head {
				t.Errorf("head = %d, want %d", v.Head, tt.head)
			}
			fit := 0
			for i, u := range v.Upstreams {
				if u.Fit != tt.fit[i] || u.Reason != tt.reasons[i] {
					t.Errorf("%s: fit=%v reason=%q, want %v %q", u.Name, u.Fit, u.Reason, tt.fit[i], tt.reasons[i])
				}
				if u.Fit {
					fit++
				}
			}
			if v.Fit != fit {
				t.Errorf("Fit = %d, want %d", v.Fit, fit)
			}
		})
	}
}

func TestCandidatesSkipUnfit(t *testing.T) {
	var ups []*Upstream
	for _, name := range []string{"a", "b", "c"} {
		p := &fakeProbe{}
		p.Set(fitStatus(name, 5))
		ups = append(ups, NewUpstream(name, nil, p))
	}
	ups[1].probe.(*fakeProbe).Set(fitStatus("b", 1)) // b lags
	r := newTestRouter(t, ups)
	firsts := map[string]int{}
	for i := 0; i < 200; i++ {
		c := r.candidates()
		if len(c) != 2 {
			t.Fatalf("%d candidates, want 2 (a and c)", len(c))
		}
		for _, u := range c {
			if u.name == "b" {
				t.Fatal("lagging upstream offered")
			}
		}
		firsts[c[0].name]++
	}
	if firsts["a"] < 50 || firsts["c"] < 50 {
		t.Errorf("first choices %v, want both used when equally loaded", firsts)
	}
}

func TestCandidatesPreferTheLessLoaded(t *testing.T) {
	var ups []*Upstream
	for _, name := range []string{"slow", "fast", "busy"} {
		p := &fakeProbe{}
		p.Set(fitStatus(name, 5))
		ups = append(ups, NewUpstream(name, nil, p))
	}
	ups[0].observe(50 * time.Millisecond)
	ups[1].observe(time.Millisecond)
	ups[2].observe(time.Millisecond)
	ups[2].inflight.Store(100)
	r := newTestRouter(t, ups)
	firsts := map[string]int{}
	for i := 0; i < 300; i++ {
		firsts[r.candidates()[0].name]++
	}
	// Loads: fast 1ms, slow 50ms, busy 1ms x 101 in flight. fast wins
	// every draw it is in (two in three), slow wins its draw against busy,
	// and busy never goes first.
	if firsts["fast"] < 170 || firsts["fast"] > 230 || firsts["busy"] != 0 {
		t.Errorf("first choices %v, want fast about 200, slow about 100, busy 0 of 300", firsts)
	}
}
