package pool

import (
	"math"
	"time"
)

// Vardiff bounds (see the package documentation).
const (
	maxStep      = 4.0
	deadbandLow  = 0.8
	deadbandHigh = 1.25
)

// retarget returns the difficulty that makes a window hold about
// targetShares shares at hashrate h, moving from cur by a factor within
// [1/4, 4] and staying within [floor, ceiling] (ceiling 0: none). ok is false
// when the factor is within the dead band [0.8, 1.25], or the bounds leave
// cur as it is.
func retarget(cur uint64, h float64, window time.Duration, targetShares int, floor uint64, ceiling float64) (next uint64, ok bool) {
	ideal := h * window.Seconds() / float64(targetShares)
	f := math.Min(math.Max(ideal/float64(cur), 1/maxStep), maxStep)
	if f >= deadbandLow && f <= deadbandHigh {
		return cur, false
	}
	d := math.Round(float64(cur) * f)
	if ceiling > 0 {
		d = math.Min(d, math.Floor(ceiling))
	}
	d = math.Max(d, float64(floor))
	d = math.Max(d, 1)
	next = uint64(d)
	return next, next != cur
}

// adjust runs vardiff on w if window/8 has passed since it last did; it
// reports whether the difficulty changed.
func (p *Pool) adjust(w *worker, now time.Time, networkDifficulty float64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.lastAdjust) < p.cfg.Window/8 {
		return false
	}
	w.lastAdjust = now
	w.window.prune(now.Add(-p.cfg.Window))
	est := w.window.estimate(p.span(w, now), float64(w.difficulty))
	next, ok := retarget(w.difficulty, est.Hashrate, p.cfg.Window, p.cfg.TargetShares, p.cfg.MinShareDifficulty, networkDifficulty)
	if ok {
		p.log.Debug("vardiff", "worker", w.name, "from", w.difficulty, "to", next, "hashrate", est.Hashrate, "shares", est.Shares)
		w.difficulty = next
	}
	return ok
}

// span is what a worker's hashrate is measured over: the window, or the
// worker's age if it is younger. Call with w.mu held.
func (p *Pool) span(w *worker, now time.Time) time.Duration {
	return min(p.cfg.Window, now.Sub(w.firstSeen))
}

// adjustAll runs vardiff on every worker and wakes the stratum
// connections if a difficulty changed.
func (p *Pool) adjustAll(now time.Time) {
	var network float64
	if job := p.jobs.current(); job != nil {
		network = job.Difficulty()
	}
	changed := false
	for _, w := range p.workerList() {
		if p.adjust(w, now, network) {
			changed = true
		}
	}
	if changed {
		p.wakeConns()
	}
}
