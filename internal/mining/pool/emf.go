package pool

import (
	"context"
	"io"
	"time"

	"github.com/ethfleet/ethfleet/internal/emf"
)

// WriteEMF writes the pool's figures as CloudWatch Embedded Metric Format
// lines to out every interval until ctx ends: one line for the pool and
// one per worker. Share and block counts are those since the previous
// lines.
func (p *Pool) WriteEMF(ctx context.Context, out io.Writer, namespace string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	prev := p.Stats()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			cur := p.Stats()
			for _, line := range emfLines(prev, cur) {
				w := &emf.Writer{Out: out, Namespace: namespace, Dimensions: line.dims}
				if err := w.Write(line.metrics, p.now()); err != nil {
					p.log.Warn("emf", "err", err)
				}
			}
			prev = cur
		}
	}
}

type emfLine struct {
	dims    map[string]string
	metrics map[string]emf.Metric
}

// emfLines turns two consecutive Stats into lines: gauges from cur, counts
// as cur minus prev (a worker new since prev counts from zero).
func emfLines(prev, cur Stats) []emfLine {
	before := map[string]ShareCounts{}
	for _, w := range prev.Workers {
		before[w.Name] = w.Total
	}
	var lines []emfLine
	var total ShareCounts
	for _, w := range cur.Workers {
		d := delta(before[w.Name], w.Total)
		total.plus(d)
		m := hashrates(w.Hashrate, w.Low, w.High, w.Reported)
		m["ShareDifficulty"] = emf.Metric{Value: float64(w.Difficulty), Unit: emf.None}
		addShares(m, d)
		lines = append(lines, emfLine{dims: map[string]string{"Worker": w.Name}, metrics: m})
	}
	m := hashrates(cur.Total.Hashrate, cur.Total.Low, cur.Total.High, cur.Total.Reported)
	m["Workers"] = emf.Metric{Value: float64(len(cur.Workers)), Unit: emf.Count}
	m["BlocksFound"] = emf.Metric{Value: float64(cur.Blocks - min(prev.Blocks, cur.Blocks)), Unit: emf.Count}
	m["EtherbaseBalanceWei"] = emf.Metric{Value: cur.Balance, Unit: emf.None}
	addShares(m, total)
	return append([]emfLine{{dims: map[string]string{"Pool": "pool"}, metrics: m}}, lines...)
}

func hashrates(h, lo, hi, reported float64) map[string]emf.Metric {
	return map[string]emf.Metric{
		"VerifiedHashrate":     {Value: h, Unit: emf.CountPerSecond},
		"VerifiedHashrateLow":  {Value: lo, Unit: emf.CountPerSecond},
		"VerifiedHashrateHigh": {Value: hi, Unit: emf.CountPerSecond},
		"ReportedHashrate":     {Value: reported, Unit: emf.CountPerSecond},
	}
}

func addShares(m map[string]emf.Metric, c ShareCounts) {
	m["SharesAccepted"] = emf.Metric{Value: float64(c.Accepted), Unit: emf.Count}
	m["SharesStale"] = emf.Metric{Value: float64(c.Stale), Unit: emf.Count}
	m["SharesInvalid"] = emf.Metric{Value: float64(c.Invalid), Unit: emf.Count}
	m["SharesDuplicate"] = emf.Metric{Value: float64(c.Duplicate), Unit: emf.Count}
}

// delta is cur - prev, counting from zero where a counter went back (a
// worker that was forgotten and came again).
func delta(prev, cur ShareCounts) ShareCounts {
	sub := func(a, b uint64) uint64 {
		if b < a {
			return b
		}
		return b - a
	}
	return ShareCounts{sub(prev.Accepted, cur.Accepted), sub(prev.Stale, cur.Stale), sub(prev.Invalid, cur.Invalid), sub(prev.Duplicate, cur.Duplicate)}
}
