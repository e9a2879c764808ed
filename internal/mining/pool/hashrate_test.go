package pool

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/emf"
)

func TestPoissonInterval(t *testing.T) {
	tests := []struct {
		n      uint64
		lo, hi float64 // Garwood's exact interval
	}{
		{0, 0, 3.6889},
		{1, 0.0253, 5.5716},
		{10, 4.7954, 18.3904},
		{100, 81.3625, 121.6318},
		{384, 346.6, 424.3},
	}
	for _, tt := range tests {
		lo, hi := poissonInterval(tt.n)
		if math.Abs(lo-tt.lo) > 0.001*max(1, tt.lo) || math.Abs(hi-tt.hi) > 0.001*tt.hi {
			t.Errorf("n=%d: [%.4f, %.4f], want [%.4f, %.4f]", tt.n, lo, hi, tt.lo, tt.hi)
		}
	}
}

// newSimPool is a pool that is never started, on a clock the test sets.
func newSimPool(t *testing.T, cfg config.Pool, now *time.Time) *Pool {
	t.Helper()
	p, err := New(Options{Config: cfg, Node: "http://127.0.0.1:1", Verifier: fastVerifier{}, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHashrateEstimate feeds a simulated worker accepted shares at a known
// hashrate (Poisson arrivals at rate H/difficulty): the true rate lies in
// the reported interval, which narrows as the window fills.
func TestHashrateEstimate(t *testing.T) {
	const trueRate = 50000.0 // H/s
	cfg := testConfig()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, difficulty := range []uint64{100000, 1000000, 5000000} {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		p := newSimPool(t, cfg, &now)
		w, _ := p.worker("sim")
		end := now.Add(2 * cfg.Window)
		for {
			now = now.Add(time.Duration(rng.ExpFloat64() * float64(difficulty) / trueRate * float64(time.Second)))
			if now.After(end) {
				break
			}
			p.record(w, now, Accepted, float64(difficulty))
		}
		ws := p.Stats().Workers[0]
		if trueRate < ws.Low || trueRate > ws.High {
			t.Errorf("difficulty %d: %v not in [%v, %v] (%d shares)", difficulty, trueRate, ws.Low, ws.High, ws.Shares.Accepted)
		}
		want := trueRate * cfg.Window.Seconds() / float64(difficulty)
		if n := float64(ws.Shares.Accepted); math.Abs(n-want) > 4*math.Sqrt(want) {
			t.Errorf("difficulty %d: %v shares in the window, want about %v", difficulty, n, want)
		}
	}
}

// TestYoungWorker measures a worker younger than the window over its age.
func TestYoungWorker(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newSimPool(t, testConfig(), &now)
	w, _ := p.worker("young")
	for range 60 {
		now = now.Add(time.Second)
		p.record(w, now, Accepted, 1000)
	}
	if h := p.Stats().Workers[0].Hashrate; h != 1000 {
		t.Errorf("hashrate = %v, want 1000 (60 shares of 1000 in 60s)", h)
	}
}

func TestRetarget(t *testing.T) {
	window := 10 * time.Minute
	tests := []struct {
		name     string
		cur      uint64
		h        float64
		floor    uint64
		ceiling  float64
		want     uint64
		wantMove bool
	}{
		{"on target", 1000, 640, 1, 0, 1000, false}, // 640·600/384 = 1000
		{"dead band", 1000, 760, 1, 0, 1000, false},
		{"up, clamped to 4x", 1000, 64000, 1, 0, 4000, true},
		{"down, clamped to 1/4", 1000, 0, 1, 0, 250, true},
		{"up by 2", 1000, 1280, 1, 0, 2000, true},
		{"not below the floor", 1000, 0, 600, 0, 600, true},
		{"not above the network", 1000, 64000, 1, 1500.7, 1500, true},
		{"at the floor already", 10, 0, 10, 0, 10, false},
	}
	for _, tt := range tests {
		got, moved := retarget(tt.cur, tt.h, window, 384, tt.floor, tt.ceiling)
		if got != tt.want || moved != tt.wantMove {
			t.Errorf("%s: %d %v, want %d %v", tt.name, got, moved, tt.want, tt.wantMove)
		}
	}
}

// TestVardiffConverges runs a simulated worker of fixed hashrate with
// vardiff: its difficulty goes toward H·window/targetShares.
func TestVardiffConverges(t *testing.T) {
	const trueRate = 100000.0
	cfg := testConfig()
	cfg.ShareDifficulty = 1000
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newSimPool(t, cfg, &now)
	w, _ := p.worker("sim")
	rng := rand.New(rand.NewPCG(3, 4))
	ideal := trueRate * cfg.Window.Seconds() / float64(cfg.TargetShares) // 156250
	var moves []uint64
	next := now
	for end := now.Add(3 * cfg.Window); now.Before(end); {
		d := w.currentDifficulty()
		next = next.Add(time.Duration(rng.ExpFloat64() * float64(d) / trueRate * float64(time.Second)))
		for now.Add(time.Second).Before(next) {
			now = now.Add(time.Second)
			if p.adjust(w, now, 1e12) {
				moves = append(moves, w.currentDifficulty())
			}
		}
		now = next
		p.record(w, now, Accepted, float64(d))
		if p.adjust(w, now, 1e12) {
			moves = append(moves, w.currentDifficulty())
		}
	}
	got := float64(w.currentDifficulty())
	if got < ideal/1.3 || got > ideal*1.3 {
		t.Errorf("difficulty %v after %v, want about %v", got, moves, ideal)
	}
	for i := 1; i < len(moves); i++ {
		if r := float64(moves[i]) / float64(moves[i-1]); r > 4.0001 || r < 0.2499 {
			t.Errorf("step %d → %d", moves[i-1], moves[i])
		}
	}
}

func TestEMFLines(t *testing.T) {
	prev := Stats{Blocks: 1, Workers: []WorkerStats{{Name: "a", Total: ShareCounts{Accepted: 10, Stale: 1}}}}
	cur := Stats{Blocks: 3, Balance: 5, Workers: []WorkerStats{
		{Name: "a", Hashrate: 100, Low: 90, High: 110, Difficulty: 7, Total: ShareCounts{Accepted: 15, Stale: 1, Invalid: 2}},
		{Name: "b", Hashrate: 50, Total: ShareCounts{Accepted: 4}},
	}, Total: TotalStats{Hashrate: 150}}
	lines := emfLines(prev, cur)
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	check := func(l emfLine, name string, want float64) {
		t.Helper()
		if got := l.metrics[name].Value; got != want {
			t.Errorf("%v %s = %v, want %v", l.dims, name, got, want)
		}
	}
	check(lines[0], "SharesAccepted", 9)
	check(lines[0], "BlocksFound", 2)
	check(lines[0], "VerifiedHashrate", 150)
	check(lines[0], "Workers", 2)
	check(lines[0], "EtherbaseBalanceWei", 5)
	check(lines[1], "SharesAccepted", 5)
	check(lines[1], "SharesInvalid", 2)
	check(lines[1], "ShareDifficulty", 7)
	check(lines[2], "SharesAccepted", 4)
	var out strings.Builder
	for _, l := range lines {
		w := &emf.Writer{Out: &out, Namespace: "ethfleet/mining", Dimensions: l.dims}
		if err := w.Write(l.metrics, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(out.String(), `"Worker":"b"`) {
		t.Errorf("emf: %s", out.String())
	}
}
