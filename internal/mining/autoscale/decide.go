package autoscale

import (
	"context"
	"fmt"
	"math"
	"time"
)

// side is where a reading's interval lies relative to the band.
type side int

const (
	inside side = iota // overlaps the band
	below
	above
)

// classify places the interval [low, high] (the estimate itself if the
// pool gave no interval) relative to the band.
func (p Policy) classify(r Rate) side {
	low, high := r.Low, r.High
	if high < low || (low == 0 && high == 0) {
		low, high = r.Hashrate, r.Hashrate
	}
	switch {
	case high < p.MinHashrate:
		return below
	case low > p.MaxHashrate:
		return above
	}
	return inside
}

// decide applies the rules of the package documentation, in order.
func (c *Controller) decide(ctx context.Context, now time.Time) Decision {
	d := Decision{Time: now}
	stats, err := c.source.Stats(ctx)
	if err != nil {
		return failed(d, err)
	}
	d.Hashrate, d.Low, d.High, d.Workers = stats.Total.Hashrate, stats.Total.Low, stats.Total.High, len(stats.Workers)
	c.observe(c.policy.classify(stats.Total), now)

	if now.Before(c.retryAt) {
		d.Action, d.Reason = Wait, fmt.Sprintf("provider failed %d time(s) in a row; next try at %s", c.failures, c.retryAt.Format(time.RFC3339))
		return d
	}
	desired, running, err := c.provider.Current(ctx)
	if err != nil {
		c.backoff(now)
		return failed(d, fmt.Errorf("provider: %w", err))
	}
	d.Desired, d.Running, d.counted = desired, running, true
	c.adoptAttempt(desired)
	d.PerMiner, d.PerMinerFrom = c.perMiner(stats, running)

	note := ""
	if c.pending {
		switch waited := now.Sub(c.lastChange); {
		case running == desired:
			c.pending = false
		case waited < c.policy.SettleTimeout:
			d.Action, d.Reason = Wait, fmt.Sprintf("waiting for the last change to take effect: %d of %d running after %s (up to %s)", running, desired, waited, c.policy.SettleTimeout)
			return d
		default:
			c.pending = false
			note = fmt.Sprintf(" (the last change did not take effect within %s: %d of %d running)", c.policy.SettleTimeout, running, desired)
		}
	}
	if n := c.policy.clamp(desired); n != desired {
		return c.set(ctx, d, now, n, fmt.Sprintf("desired %d outside [minMiners %d, maxMiners %d]", desired, c.policy.MinMiners, c.policy.MaxMiners)+note)
	}
	n, reason := c.wanted(d, now)
	if n == desired {
		d.Action, d.Reason = None, reason+note
		return d
	}
	return c.set(ctx, d, now, n, reason+note)
}

// failed is d as an Error step.
func failed(d Decision, err error) Decision {
	d.Action, d.Reason, d.Err = Error, "no change: "+err.Error(), err.Error()
	return d
}

// observe notes the side of a reading: a new side starts its wait now.
func (c *Controller) observe(s side, now time.Time) {
	if s != c.side || c.since.IsZero() {
		c.side, c.since = s, now
	}
}

// wanted is the desired count the band calls for, and why; d.Desired when
// nothing should change.
func (c *Controller) wanted(d Decision, now time.Time) (int, string) {
	p := c.policy
	interval := fmt.Sprintf("interval [%.6g, %.6g] H/s", d.Low, d.High)
	band := fmt.Sprintf("band [%.6g, %.6g]", p.MinHashrate, p.MaxHashrate)
	delay, where := p.ScaleUpDelay, "below"
	switch c.side {
	case inside:
		return d.Desired, fmt.Sprintf("%s overlaps the %s", interval, band)
	case above:
		delay, where = p.ScaleDownDelay, "above"
	}
	out := now.Sub(c.since)
	if out < delay {
		return d.Desired, fmt.Sprintf("%s %s the %s for %s of %s", interval, where, band, out, delay)
	}
	if !c.lastChange.IsZero() && now.Sub(c.lastChange) < p.Cooldown {
		return d.Desired, fmt.Sprintf("%s %s the %s, but cooling down until %s", interval, where, band, c.lastChange.Add(p.Cooldown).Format(time.RFC3339))
	}
	n := c.count(d.Desired, d.PerMiner)
	reason := fmt.Sprintf("%s %s the %s for %s; target %.6g H/s at %.6g H/s per miner (%s)", interval, where, band, out, p.target(), d.PerMiner, d.PerMinerFrom)
	if n == d.Desired {
		reason += fmt.Sprintf(": no count in [%d, %d] does better than %d", p.MinMiners, p.MaxMiners, n)
	}
	return n, reason
}

// count is the miners that reach the target at perMiner each (0:
// unknown), moved by at least one from desired towards the band and
// clamped. A scale-down never goes below the count expected to reach
// MinHashrate: above the band is better than below it.
func (c *Controller) count(desired int, perMiner float64) int {
	p := c.policy
	need := func(rate float64) int { // miners for rate, capped to stay an int
		return int(min(math.Ceil(rate/perMiner), float64(p.MaxMiners)+1))
	}
	if c.side == below {
		n := desired + 1
		if perMiner > 0 {
			n = max(n, need(p.target()))
		}
		return p.clamp(n)
	}
	n := desired - 1
	if perMiner > 0 {
		n = max(min(n, need(p.target())), need(p.MinHashrate))
	}
	return min(p.clamp(n), desired)
}

// perMiner estimates one miner's hashrate and says how.
func (c *Controller) perMiner(s Stats, running int) (float64, string) {
	if running > 0 && s.Total.Hashrate > 0 {
		c.lastPerMiner = s.Total.Hashrate / float64(running)
		return c.lastPerMiner, "total/running"
	}
	sum, n := 0.0, 0
	for _, w := range s.Workers {
		if w.Hashrate > 0 {
			sum, n = sum+w.Hashrate, n+1
		}
	}
	if n > 0 {
		c.lastPerMiner = sum / float64(n)
		return c.lastPerMiner, "workers"
	}
	if c.lastPerMiner > 0 {
		return c.lastPerMiner, "last"
	}
	return 0, "none"
}

// set asks the provider for n miners.
func (c *Controller) set(ctx context.Context, d Decision, now time.Time, n int, reason string) Decision {
	d.To = n
	if err := c.provider.SetDesired(ctx, n); err != nil {
		c.attempt = &attempt{at: now, to: n}
		c.backoff(now)
		return failed(d, fmt.Errorf("provider: setting desired %d: %w", n, err))
	}
	c.changed(now)
	d.Action, d.Reason = ScaleUp, reason
	if n < d.Desired {
		d.Action = ScaleDown
	}
	return d
}

// changed notes a change made at: the out-of-band wait starts over.
func (c *Controller) changed(at time.Time) {
	c.lastChange, c.pending, c.since = at, true, at
}

// adoptAttempt counts a failed SetDesired as a change if the provider now
// reports the count it asked for.
func (c *Controller) adoptAttempt(desired int) {
	if a := c.attempt; a != nil && a.to == desired {
		c.changed(a.at)
	}
	c.attempt = nil
}

// backoff counts a provider error and sets when to try again.
func (c *Controller) backoff(now time.Time) {
	c.failures++
	wait := c.policy.RetryBackoff
	for i := 1; i < c.failures && wait < c.policy.MaxRetryBackoff; i++ {
		wait *= 2
	}
	c.retryAt = now.Add(min(wait, c.policy.MaxRetryBackoff))
}
