package pool

import "time"

// Stats is what GET /stats answers: per worker and in total, the verified
// hashrate over the window (H/s) with its 95% interval, the shares of the
// window by outcome, and the rate the miners report; and the blocks the
// node accepted since the pool started.
type Stats struct {
	Window  string        `json:"window"`
	Workers []WorkerStats `json:"workers"`
	Total   TotalStats    `json:"total"`
	Blocks  uint64        `json:"blocks"`
	// Balance is the etherbase's balance in wei (0 when not watched).
	Balance float64 `json:"-"`
}

// WorkerStats is one worker's line of Stats.
type WorkerStats struct {
	Name     string      `json:"name"`
	Hashrate float64     `json:"hashrate"`
	Low      float64     `json:"low"`
	High     float64     `json:"high"`
	Shares   ShareCounts `json:"shares"`
	// Difficulty is the share difficulty new work gets.
	Difficulty uint64  `json:"difficulty"`
	Reported   float64 `json:"reported"`
	// Total counts the worker's shares since it appeared.
	Total ShareCounts `json:"-"`
}

// TotalStats sums the workers.
type TotalStats struct {
	Hashrate float64     `json:"hashrate"`
	Low      float64     `json:"low"`
	High     float64     `json:"high"`
	Shares   ShareCounts `json:"shares"`
	Reported float64     `json:"reported"`
	Total    ShareCounts `json:"-"`
}

// Stats reports the pool's figures now. The total's interval is the
// Poisson interval of all the workers' accepted shares together, scaled
// like a worker's.
func (p *Pool) Stats() Stats {
	now := p.now()
	s := Stats{Window: p.cfg.Window.String(), Workers: []WorkerStats{}}
	var shares uint64
	for _, w := range p.workerList() {
		ws, est := p.workerStats(w, now)
		s.Workers = append(s.Workers, ws)
		t := &s.Total
		t.Hashrate += ws.Hashrate
		t.Reported += ws.Reported
		t.Shares.plus(ws.Shares)
		t.Total.plus(ws.Total)
		shares += est.Shares
		if est.Shares == 0 {
			t.High += ws.High
		}
	}
	if shares > 0 {
		lo, hi := poissonInterval(shares)
		n := float64(shares)
		s.Total.Low = s.Total.Hashrate * lo / n
		s.Total.High = s.Total.Hashrate * hi / n
	}
	p.mu.Lock()
	s.Blocks, s.Balance = p.blocks, p.balance
	p.mu.Unlock()
	return s
}

func (p *Pool) workerStats(w *worker, now time.Time) (WorkerStats, Estimate) {
	w.mu.Lock()
	defer w.mu.Unlock()
	since := now.Add(-p.cfg.Window)
	w.window.prune(since)
	est := w.window.estimate(p.span(w, now), float64(w.difficulty))
	ws := WorkerStats{
		Name: w.name, Hashrate: est.Hashrate, Low: est.Low, High: est.High,
		Shares: w.window.counts(), Difficulty: w.difficulty, Total: w.total,
	}
	for id, r := range w.reported {
		if r.at.Before(since) {
			delete(w.reported, id)
			continue
		}
		ws.Reported += r.rate
	}
	return ws, est
}
