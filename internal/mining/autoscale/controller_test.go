package autoscale

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// fakeProvider runs miners instantly, or never (frozen), and fails as told.
type fakeProvider struct {
	mu               sync.Mutex
	desired, running int
	frozen           bool  // running does not follow desired
	currentErr       error // returned by Current
	setErr           error // returned by SetDesired
	setApplies       bool  // a failing SetDesired still changes desired
	sets             []int
}

func (f *fakeProvider) Current(context.Context) (int, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.currentErr != nil {
		return 0, 0, f.currentErr
	}
	return f.desired, f.running, nil
}

func (f *fakeProvider) SetDesired(_ context.Context, n int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sets = append(f.sets, n)
	if f.setErr != nil && !f.setApplies {
		return f.setErr
	}
	f.desired = n
	if !f.frozen {
		f.running = n
	}
	return f.setErr
}

// simPool reports each running miner hashing perMiner, with a 95%
// interval of ±noise (relative) around the total; fixed, if set, instead.
type simPool struct {
	p        *fakeProvider
	perMiner float64
	noise    float64
	fixed    *Rate
	err      error
}

func (s *simPool) Stats(context.Context) (Stats, error) {
	if s.err != nil {
		return Stats{}, s.err
	}
	if s.fixed != nil {
		return Stats{Window: "10m0s", Total: *s.fixed}, nil
	}
	s.p.mu.Lock()
	running := s.p.running
	s.p.mu.Unlock()
	var st Stats
	for i := range running {
		st.Workers = append(st.Workers, WorkerStats{Name: fmt.Sprintf("w%d", i), Rate: Rate{Hashrate: s.perMiner}})
	}
	h := float64(running) * s.perMiner
	st.Total = Rate{Hashrate: h, Low: h * (1 - s.noise), High: h * (1 + s.noise)}
	return st, nil
}

// basePolicy: band [100, 200] H/s, 0 to 8 miners, up after 2m, down after
// 10m, 5m cooldown, 30s retry backoff.
func basePolicy() Policy {
	return Policy{
		MinHashrate: 100, MaxHashrate: 200, MinMiners: 0, MaxMiners: 8,
		ScaleUpDelay: 2 * time.Minute, ScaleDownDelay: 10 * time.Minute, Cooldown: 5 * time.Minute,
		RetryBackoff: 30 * time.Second, MaxRetryBackoff: 4 * time.Minute, SettleTimeout: 10 * time.Minute,
	}
}

// change is a scale-up or -down at an offset from t0.
type change struct {
	at time.Duration
	to int
}

// steps runs c every 30s from t0 up to and including until, and returns
// the decisions.
func steps(c *Controller, until time.Duration) []Decision {
	var ds []Decision
	for at := time.Duration(0); at <= until; at += 30 * time.Second {
		ds = append(ds, c.Step(context.Background(), t0.Add(at)))
	}
	return ds
}

func changes(ds []Decision) []change {
	var cs []change
	for _, d := range ds {
		if d.Action == ScaleUp || d.Action == ScaleDown {
			cs = append(cs, change{d.Time.Sub(t0), d.To})
		}
	}
	return cs
}

func newTestController(t *testing.T, p Policy, src Source, prov Provider, reg prometheus.Registerer) *Controller {
	t.Helper()
	c, err := New(Options{Policy: p, Source: src, Provider: prov, Registerer: reg,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), History: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestController(t *testing.T) {
	tests := []struct {
		name             string
		policy           func(*Policy)
		desired, running int
		frozen           bool
		perMiner, noise  float64
		fixed            *Rate
		until            time.Duration
		want             []change
	}{
		{
			// 2 × 30 = 60 H/s, [54, 66]: below; after 2m, ceil(150/30) = 5.
			name: "under the band scales up only after the delay", desired: 2, running: 2, perMiner: 30, noise: 0.1,
			until: 20 * time.Minute, want: []change{{2 * time.Minute, 5}},
		},
		{
			// 8 × 40 = 320 H/s: above; after 10m, ceil(150/40) = 4 (160 H/s).
			name: "over the band scales down only after its delay", desired: 8, running: 8, perMiner: 40, noise: 0.1,
			until: 30 * time.Minute, want: []change{{10 * time.Minute, 4}},
		},
		{
			// 3 × 30 = 90 H/s, but ±20%: [72, 108] overlaps the band.
			name: "a noisy estimate overlapping the band moves nothing (low edge)", desired: 3, running: 3, perMiner: 30, noise: 0.2,
			until: time.Hour,
		},
		{
			// 7 × 30 = 210 H/s, ±10%: [189, 231] overlaps the band.
			name: "a noisy estimate overlapping the band moves nothing (high edge)", desired: 7, running: 7, perMiner: 30, noise: 0.1,
			until: time.Hour,
		},
		{
			// The pool keeps saying 50 H/s: the next change waits for the
			// cooldown (5m), not just the delay (2m). Per miner: 50, 50/3,
			// 50/9.
			name: "cooldown respected", policy: func(p *Policy) { p.MaxMiners = 100 }, desired: 1, running: 1, fixed: &Rate{Hashrate: 50, Low: 45, High: 55},
			until: 13 * time.Minute, want: []change{{2 * time.Minute, 3}, {7 * time.Minute, 9}, {12 * time.Minute, 27}},
		},
		{
			// ceil(150/10) = 15 miners, clamped to 8; then no further change.
			name: "clamped to maxMiners", desired: 1, running: 1, perMiner: 10, noise: 0.05,
			until: time.Hour, want: []change{{2 * time.Minute, 8}},
		},
		{
			// ceil(150/100) = 2, but minMiners 3.
			name: "clamped to minMiners", policy: func(p *Policy) { p.MinMiners = 3 }, desired: 6, running: 6, perMiner: 100, noise: 0.05,
			until: time.Hour, want: []change{{10 * time.Minute, 3}},
		},
		{
			name: "a desired count above maxMiners is brought down at once", desired: 20, running: 20, perMiner: 7.5, noise: 0.05,
			until: 10 * time.Minute, want: []change{{0, 8}},
		},
		{
			name: "a desired count below minMiners is brought up at once", policy: func(p *Policy) { p.MinMiners = 2 }, desired: 0, running: 0, perMiner: 60, noise: 0.05,
			until: 10 * time.Minute, want: []change{{0, 2}},
		},
		{
			// No miner, no hashrate, nothing known per miner: one miner,
			// then (30 H/s each, after the cooldown) ceil(150/30) = 5.
			name: "no miner and no hashrate starts one", desired: 0, running: 0, perMiner: 30, noise: 0,
			until: 15 * time.Minute, want: []change{{2 * time.Minute, 1}, {7 * time.Minute, 5}},
		},
		{
			// One miner makes 250 H/s, above the band, but none is below it:
			// stay above rather than oscillate.
			name: "never scales down below the band", desired: 1, running: 1, perMiner: 250, noise: 0.05,
			until: time.Hour,
		},
		{
			// Running never follows: after the change, wait for the
			// settle timeout (10m) before changing again.
			name: "waits for a change to take effect, bounded", desired: 1, running: 1, frozen: true, perMiner: 30, noise: 0.05,
			until: 13 * time.Minute, want: []change{{2 * time.Minute, 5}, {12 * time.Minute, 6}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := basePolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			prov := &fakeProvider{desired: tt.desired, running: tt.running, frozen: tt.frozen}
			c := newTestController(t, p, &simPool{p: prov, perMiner: tt.perMiner, noise: tt.noise, fixed: tt.fixed}, prov, nil)
			ds := steps(c, tt.until)
			if got := changes(ds); !slices.Equal(got, tt.want) {
				t.Errorf("changes %v, want %v; decisions:\n%s", got, tt.want, dump(ds))
			}
			for _, n := range prov.sets {
				if n > p.MaxMiners || n < p.MinMiners {
					t.Errorf("set %d outside [%d, %d]", n, p.MinMiners, p.MaxMiners)
				}
			}
			for _, d := range ds {
				if d.Reason == "" {
					t.Errorf("%s: %s with no reason", d.Time.Sub(t0), d.Action)
				}
			}
		})
	}
}

func dump(ds []Decision) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "  %6s %-5s d=%d r=%d to=%d: %s\n", d.Time.Sub(t0), d.Action, d.Desired, d.Running, d.To, d.Reason)
	}
	return b.String()
}

// An estimate that dips below the band and back, never for the whole
// delay, moves nothing: the wait is continuous.
func TestInterruptedExcursionsDoNotAdd(t *testing.T) {
	prov := &fakeProvider{desired: 3, running: 3}
	pool := &simPool{p: prov}
	c := newTestController(t, basePolicy(), pool, prov, nil)
	below, overlap := &Rate{Hashrate: 60, Low: 55, High: 65}, &Rate{Hashrate: 95, Low: 85, High: 105}
	var ds []Decision
	for i := range 120 { // an hour: 90s below, 30s overlapping, again and again
		pool.fixed = below
		if i%4 == 3 {
			pool.fixed = overlap
		}
		ds = append(ds, c.Step(t.Context(), t0.Add(time.Duration(i)*30*time.Second)))
	}
	if got := changes(ds); len(got) != 0 {
		t.Errorf("changes %v, want none:\n%s", got, dump(ds))
	}
}

func TestProviderErrors(t *testing.T) {
	errDown := errors.New("provider down")
	t.Run("Current fails: backed off, reported, then recovers", func(t *testing.T) {
		prov := &fakeProvider{desired: 5, running: 5, currentErr: errDown}
		reg := prometheus.NewRegistry()
		c := newTestController(t, basePolicy(), &simPool{p: prov, perMiner: 30, noise: 0.1}, prov, reg)
		var actions []Action
		for at := time.Duration(0); at <= 8*time.Minute; at += 30 * time.Second {
			if at == 7*time.Minute {
				prov.currentErr = nil
			}
			actions = append(actions, c.Step(t.Context(), t0.Add(at)).Action)
		}
		// Tries at 0, 30s, 90s, 3m30s, 7m30s (waits 30s, 60s, 120s, 240s).
		E, W, N := Error, Wait, None
		want := []Action{E, E, W, E, W, W, W, E, W, W, W, W, W, W, W, N, N}
		if !slices.Equal(actions, want) {
			t.Errorf("actions\n  %v\nwant\n  %v", actions, want)
		}
		if got := testutil.ToFloat64(c.metrics.errors); got != 4 {
			t.Errorf("errors_total %v, want 4", got)
		}
		if c.failures != 0 {
			t.Errorf("failures %d after recovery, want 0", c.failures)
		}
		if d := c.Decisions()[0]; !strings.Contains(d.Err, "provider down") {
			t.Errorf("first decision's error %q", d.Err)
		}
	})
	t.Run("SetDesired fails: retried with backoff, never more than the same count", func(t *testing.T) {
		prov := &fakeProvider{desired: 2, running: 2, setErr: errDown}
		c := newTestController(t, basePolicy(), &simPool{p: prov, perMiner: 30, noise: 0.1}, prov, nil)
		steps(c, 30*time.Minute)
		// First at 2m, then after 30s, 1m, 2m, 4m, 4m, ...: 2m, 2m30s,
		// 3m30s, 5m30s, 9m30s, 13m30s, ..., 29m30s.
		if want := slices.Repeat([]int{5}, 10); !slices.Equal(prov.sets, want) {
			t.Errorf("sets %v, want %v", prov.sets, want)
		}
	})
	t.Run("a failed SetDesired that took effect counts as a change", func(t *testing.T) {
		prov := &fakeProvider{desired: 1, running: 1, setErr: errDown, setApplies: true}
		pool := &simPool{p: prov, fixed: &Rate{Hashrate: 50, Low: 45, High: 55}}
		c := newTestController(t, basePolicy(), pool, prov, nil)
		ds := steps(c, 8*time.Minute)
		// 2m: set 3 (fails, applied); 2m30s: adopted, cooling down until
		// 7m; 7m: set ceil(150/(50/3)) = 9, clamped to 8.
		if !slices.Equal(prov.sets, []int{3, 8}) {
			t.Errorf("sets %v, want [3 8]:\n%s", prov.sets, dump(ds))
		}
		if d := ds[14]; d.Action != Error || d.Time != t0.Add(7*time.Minute) {
			t.Errorf("7m: %s at %s, want the second attempt", d.Action, d.Time.Sub(t0))
		}
	})
	t.Run("an unreadable pool changes nothing", func(t *testing.T) {
		prov := &fakeProvider{desired: 2, running: 2}
		c := newTestController(t, basePolicy(), &simPool{p: prov, err: errors.New("connection refused")}, prov, nil)
		ds := steps(c, 30*time.Minute)
		if len(prov.sets) != 0 || ds[len(ds)-1].Action != Error {
			t.Errorf("sets %v, last %s", prov.sets, ds[len(ds)-1].Action)
		}
	})
}

func TestMetrics(t *testing.T) {
	prov := &fakeProvider{desired: 2, running: 2}
	reg := prometheus.NewRegistry()
	c := newTestController(t, basePolicy(), &simPool{p: prov, perMiner: 30, noise: 0.1}, prov, reg)
	steps(c, 2*time.Minute)
	want := `
# HELP ethfleet_mining_autoscale_decisions_total Autoscale steps by what they did (up, down, none, wait, error).
# TYPE ethfleet_mining_autoscale_decisions_total counter
ethfleet_mining_autoscale_decisions_total{action="down"} 0
ethfleet_mining_autoscale_decisions_total{action="error"} 0
ethfleet_mining_autoscale_decisions_total{action="none"} 4
ethfleet_mining_autoscale_decisions_total{action="up"} 1
ethfleet_mining_autoscale_decisions_total{action="wait"} 0
# HELP ethfleet_mining_autoscale_errors_total Autoscale steps that failed to read the pool or use the provider.
# TYPE ethfleet_mining_autoscale_errors_total counter
ethfleet_mining_autoscale_errors_total 0
# HELP ethfleet_mining_hashrate_target_high Upper end of the verified hashrate band (H/s).
# TYPE ethfleet_mining_hashrate_target_high gauge
ethfleet_mining_hashrate_target_high 200
# HELP ethfleet_mining_hashrate_target_low Lower end of the verified hashrate band (H/s).
# TYPE ethfleet_mining_hashrate_target_low gauge
ethfleet_mining_hashrate_target_low 100
# HELP ethfleet_mining_miners_desired Miners the provider is asked to run.
# TYPE ethfleet_mining_miners_desired gauge
ethfleet_mining_miners_desired 5
# HELP ethfleet_mining_miners_running Miners the provider reports running.
# TYPE ethfleet_mining_miners_running gauge
ethfleet_mining_miners_running 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

func TestCount(t *testing.T) {
	// count's arithmetic at the edges: huge counts stay ints.
	prov := &fakeProvider{}
	c := newTestController(t, basePolicy(), &simPool{p: prov}, prov, nil)
	c.side = below
	if got := c.count(1, math.SmallestNonzeroFloat64); got != 8 {
		t.Errorf("tiny per-miner rate: %d, want maxMiners 8", got)
	}
	c.side = above
	if got := c.count(8, math.MaxFloat64); got != 1 {
		t.Errorf("huge per-miner rate: %d, want 1", got)
	}
}
