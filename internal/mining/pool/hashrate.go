package pool

import (
	"math"
	"time"
)

// sample is one share in a worker's window.
type sample struct {
	at         time.Time
	outcome    Outcome
	difficulty float64 // credited difficulty, for accepted shares
}

// window holds a worker's shares of the last window, oldest first.
type window struct {
	samples []sample
}

func (w *window) add(s sample) { w.samples = append(w.samples, s) }

// prune drops the samples older than since.
func (w *window) prune(since time.Time) {
	i := 0
	for i < len(w.samples) && !w.samples[i].at.After(since) {
		i++
	}
	if i > 0 {
		w.samples = append(w.samples[:0], w.samples[i:]...)
	}
}

// ShareCounts counts shares by outcome.
type ShareCounts struct {
	Accepted  uint64 `json:"accepted"`
	Stale     uint64 `json:"stale"`
	Invalid   uint64 `json:"invalid"`
	Duplicate uint64 `json:"duplicate"`
}

func (c *ShareCounts) add(o Outcome, n uint64) {
	switch o {
	case Accepted:
		c.Accepted += n
	case Stale:
		c.Stale += n
	case Invalid:
		c.Invalid += n
	case Duplicate:
		c.Duplicate += n
	}
}

func (c *ShareCounts) plus(d ShareCounts) {
	c.Accepted += d.Accepted
	c.Stale += d.Stale
	c.Invalid += d.Invalid
	c.Duplicate += d.Duplicate
}

// Estimate is a verified hashrate with its 95% interval, in H/s.
type Estimate struct {
	Hashrate, Low, High float64
	// Shares is the number of accepted shares it rests on.
	Shares uint64
}

// estimate measures the hashrate over span from the accepted samples: H =
// Σ difficulty / span. With N shares the interval is H·λ/N for the
// Poisson interval λ of N; with none, [0, λ_high(0)·difficulty/span] for
// the worker's current difficulty.
func (w *window) estimate(span time.Duration, current float64) Estimate {
	var sum float64
	var n uint64
	for _, s := range w.samples {
		if s.outcome == Accepted {
			sum += s.difficulty
			n++
		}
	}
	secs := max(span.Seconds(), 1)
	lo, hi := poissonInterval(n)
	if n == 0 {
		return Estimate{High: hi * current / secs}
	}
	h := sum / secs
	return Estimate{Hashrate: h, Low: h * lo / float64(n), High: h * hi / float64(n), Shares: n}
}

// counts counts the samples by outcome.
func (w *window) counts() ShareCounts {
	var c ShareCounts
	for _, s := range w.samples {
		c.add(s.outcome, 1)
	}
	return c
}

// z is the standard normal quantile of a two-sided 95% interval.
const z = 1.959963984540054

// poissonInterval is the 95% interval for the mean of a Poisson count n:
// the exact (Garwood) interval for n ≤ 100, found by bisection on the
// Poisson distribution; Byar's approximation of it above.
func poissonInterval(n uint64) (lo, hi float64) {
	const tail = 0.025
	if n > 100 {
		f := float64(n)
		lo = f * math.Pow(1-1/(9*f)-z/(3*math.Sqrt(f)), 3)
		f++
		hi = f * math.Pow(1-1/(9*f)+z/(3*math.Sqrt(f)), 3)
		return lo, hi
	}
	// hi: P(X ≤ n; hi) = tail. lo: P(X ≥ n; lo) = tail, i.e. P(X ≤ n-1; lo) = 1-tail.
	hi = solveCDF(n, tail)
	if n > 0 {
		lo = solveCDF(n-1, 1-tail)
	}
	return lo, hi
}

// solveCDF finds λ with P(X ≤ k; λ) = p; the CDF falls as λ grows.
func solveCDF(k uint64, p float64) float64 {
	a, b := 0.0, float64(k)+20*math.Sqrt(float64(k)+1)+20
	for range 100 {
		m := (a + b) / 2
		if poissonCDF(k, m) > p {
			a = m
		} else {
			b = m
		}
	}
	return (a + b) / 2
}

// poissonCDF is P(X ≤ k) for a Poisson variable of mean λ.
func poissonCDF(k uint64, lambda float64) float64 {
	var sum float64
	for i := uint64(0); i <= k; i++ {
		lg, _ := math.Lgamma(float64(i) + 1)
		sum += math.Exp(-lambda + float64(i)*math.Log(lambda) - lg)
	}
	return sum
}
