package autoscale

import (
	"sync"
	"time"
)

// Action is what a step did.
type Action string

// The actions; they label ethfleet_mining_autoscale_decisions_total.
const (
	// ScaleUp and ScaleDown changed the desired count.
	ScaleUp   Action = "up"
	ScaleDown Action = "down"
	// None changed nothing because nothing called for a change (inside the
	// band, not out of it long enough, at a limit, cooling down).
	None Action = "none"
	// Wait changed nothing because the previous change has not taken
	// effect yet, or a provider error is being backed off.
	Wait Action = "wait"
	// Error changed nothing because the pool or the provider failed.
	Error Action = "error"
)

// Decision records one step: when, what it saw, what it did and why.
type Decision struct {
	Time   time.Time `json:"time"`
	Action Action    `json:"action"`
	Reason string    `json:"reason"`
	// Hashrate, Low and High are the pool's verified estimate and its 95%
	// interval; Workers how many workers it listed.
	Hashrate float64 `json:"hashrate"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	Workers  int     `json:"workers"`
	// PerMiner is the hashrate one miner is taken to add, and
	// PerMinerFrom how it was estimated: total/running, workers, last or
	// none.
	PerMiner     float64 `json:"perMiner"`
	PerMinerFrom string  `json:"perMinerFrom,omitempty"`
	// Desired and Running are the provider's counts before the step; To
	// the desired count it set (ScaleUp, ScaleDown, or the count a failed
	// SetDesired asked for).
	Desired int `json:"desired"`
	Running int `json:"running"`
	To      int `json:"to,omitempty"`
	// Err is the error of an Error step.
	Err string `json:"error,omitempty"`
	// counted is true when the provider reported Desired and Running.
	counted bool
}

// ring keeps the last decisions.
type ring struct {
	mu   sync.Mutex
	buf  []Decision
	next int
	full bool
}

func newRing(n int) *ring { return &ring{buf: make([]Decision, n)} }

func (r *ring) add(d Decision) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf[r.next] = d
	r.next = (r.next + 1) % len(r.buf)
	if r.next == 0 {
		r.full = true
	}
}

// all returns the decisions kept, oldest first.
func (r *ring) all() []Decision {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]Decision(nil), r.buf[:r.next]...)
	}
	return append(append([]Decision(nil), r.buf[r.next:]...), r.buf[:r.next]...)
}

// desiredAfter is the desired count after the step.
func (d Decision) desiredAfter() int {
	if d.Action == ScaleUp || d.Action == ScaleDown {
		return d.To
	}
	return d.Desired
}
