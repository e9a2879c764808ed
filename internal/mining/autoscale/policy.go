package autoscale

import (
	"errors"
	"fmt"
	"time"

	"github.com/ethfleet/ethfleet/internal/config"
)

// Defaults for the zero values of Policy's durations that the fleet
// description does not set.
const (
	// DefaultSettleTimeout bounds the wait for a change to take effect:
	// instances to launch, containers to pull, miners to start.
	DefaultSettleTimeout = 15 * time.Minute
	// DefaultRetryBackoff is the first wait after a provider error.
	DefaultRetryBackoff = 30 * time.Second
	// DefaultMaxRetryBackoff caps the doubling wait.
	DefaultMaxRetryBackoff = 5 * time.Minute
)

// Policy is what the controller holds the cluster to. The package
// documentation says how each field is used.
type Policy struct {
	// MinHashrate and MaxHashrate (H/s) are the band.
	MinHashrate, MaxHashrate float64
	// MinMiners and MaxMiners clamp the desired count.
	MinMiners, MaxMiners int
	// ScaleUpDelay and ScaleDownDelay are how long the interval must stay
	// below or above the band; Cooldown is the least time between changes.
	ScaleUpDelay, ScaleDownDelay, Cooldown time.Duration
	// SettleTimeout bounds the wait for a change to take effect.
	SettleTimeout time.Duration
	// RetryBackoff is the wait after a provider error, doubling with each
	// further error up to MaxRetryBackoff.
	RetryBackoff, MaxRetryBackoff time.Duration
}

// PolicyFor returns the policy of a fleet description's mining.autoscale
// (defaults applied): the provider is retried after one interval first.
func PolicyFor(a *config.Autoscale) Policy {
	p := Policy{
		MinHashrate:    a.MinHashrate,
		MaxHashrate:    a.MaxHashrate,
		MinMiners:      a.MinMiners,
		MaxMiners:      config.DefaultMaxMiners,
		ScaleUpDelay:   a.ScaleUpDelay,
		ScaleDownDelay: a.ScaleDownDelay,
		Cooldown:       a.Cooldown,
		RetryBackoff:   a.Interval,
	}
	if a.MaxMiners != nil {
		p.MaxMiners = *a.MaxMiners
	}
	return p
}

// withDefaults fills in the zero durations and checks the policy.
func (p Policy) withDefaults() (Policy, error) {
	if p.SettleTimeout == 0 {
		p.SettleTimeout = DefaultSettleTimeout
	}
	if p.RetryBackoff == 0 {
		p.RetryBackoff = DefaultRetryBackoff
	}
	if p.MaxRetryBackoff == 0 {
		p.MaxRetryBackoff = max(DefaultMaxRetryBackoff, p.RetryBackoff)
	}
	var errs []error
	if p.MinHashrate < 0 || p.MaxHashrate <= p.MinHashrate {
		errs = append(errs, fmt.Errorf("needs 0 ≤ minHashrate < maxHashrate, got %v and %v", p.MinHashrate, p.MaxHashrate))
	}
	if p.MinMiners < 0 || p.MaxMiners < max(p.MinMiners, 1) {
		errs = append(errs, fmt.Errorf("needs 0 ≤ minMiners ≤ maxMiners and maxMiners ≥ 1, got %d and %d", p.MinMiners, p.MaxMiners))
	}
	for _, d := range []time.Duration{p.ScaleUpDelay, p.ScaleDownDelay, p.Cooldown, p.SettleTimeout, p.RetryBackoff, p.MaxRetryBackoff} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("negative duration %s", d))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return p, fmt.Errorf("autoscale policy: %w", err)
	}
	return p, nil
}

// clamp returns n inside [MinMiners, MaxMiners].
func (p Policy) clamp(n int) int { return min(max(n, p.MinMiners), p.MaxMiners) }

// target is the hashrate a change aims at: the middle of the band.
func (p Policy) target() float64 { return (p.MinHashrate + p.MaxHashrate) / 2 }
