package autoscale

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/emf"
)

// Provider runs the miners: it reports how many are desired and how many
// run, and changes the desired count. Each backend is a sub-package.
type Provider interface {
	Current(ctx context.Context) (desired, running int, err error)
	SetDesired(ctx context.Context, n int) error
}

// DefaultHistory is how many decisions a Controller keeps.
const DefaultHistory = 100

// Options configure a Controller.
type Options struct {
	Policy   Policy
	Source   Source
	Provider Provider
	// Logger gets one line per decision (nil: discarded).
	Logger *slog.Logger
	// Registerer gets the metrics (nil: not registered).
	Registerer prometheus.Registerer
	// EMF, if set, gets one line of metrics per step.
	EMF *emf.Writer
	// History is how many decisions Decisions returns (default 100).
	History int
}

// Controller decides, one Step at a time, how many miners should run.
// Step and Run are safe to call from any goroutine, one step at a time.
type Controller struct {
	policy   Policy
	source   Source
	provider Provider
	log      *slog.Logger
	metrics  *metrics
	emf      *emf.Writer
	history  *ring

	mu sync.Mutex // held by a step; guards the state below
	// side is where the last reading was relative to the band, and since
	// when (or since the last change) it has been there.
	side  side
	since time.Time
	// lastPerMiner is the last estimate of one miner's hashrate.
	lastPerMiner float64
	// lastChange is when the desired count last changed; pending is true
	// until the provider reports as many running as desired.
	lastChange time.Time
	pending    bool
	// attempt is a SetDesired that failed, checked on the next step.
	attempt *attempt
	// failures counts provider errors in a row; retryAt is when the
	// provider is called again.
	failures int
	retryAt  time.Time
}

type attempt struct {
	at time.Time
	to int
}

// New checks the options. It starts nothing.
func New(opts Options) (*Controller, error) {
	policy, err := opts.Policy.withDefaults()
	if err != nil {
		return nil, err
	}
	if opts.Source == nil || opts.Provider == nil {
		return nil, errors.New("autoscale: a source and a provider are needed")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	m, err := newMetrics(opts.Registerer, policy)
	if err != nil {
		return nil, err
	}
	return &Controller{
		policy:   policy,
		source:   opts.Source,
		provider: opts.Provider,
		log:      opts.Logger,
		metrics:  m,
		emf:      opts.EMF,
		history:  newRing(opts.History),
	}, nil
}

// Policy returns the policy in force, defaults filled in.
func (c *Controller) Policy() Policy { return c.policy }

// Decisions returns the last decisions, oldest first.
func (c *Controller) Decisions() []Decision { return c.history.all() }

// Run steps now and then every interval until ctx ends; each step may
// take up to one interval.
func (c *Controller) Run(ctx context.Context, every time.Duration) {
	step := func(now time.Time) {
		sctx, cancel := context.WithTimeout(ctx, every)
		defer cancel()
		c.Step(sctx, now)
	}
	step(time.Now())
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			step(now)
		}
	}
}

// Step reads the pool and the provider as of now, decides, acts, and
// records the decision.
func (c *Controller) Step(ctx context.Context, now time.Time) Decision {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.decide(ctx, now)
	if d.counted && d.Action != Error {
		c.failures = 0 // the provider answered and did what it was asked
	}
	c.record(d)
	return d
}

// record keeps, logs, counts and writes out d.
func (c *Controller) record(d Decision) {
	c.history.add(d)
	c.metrics.observe(d)
	attrs := []any{"action", d.Action, "reason", d.Reason,
		"hashrate", d.Hashrate, "low", d.Low, "high", d.High,
		"per_miner", d.PerMiner, "desired", d.Desired, "running", d.Running}
	switch d.Action {
	case Error:
		c.log.Warn("autoscale", append(attrs, "err", d.Err)...)
	case ScaleUp, ScaleDown:
		c.log.Info("autoscale", append(attrs, "to", d.To)...)
	default:
		c.log.Info("autoscale", attrs...)
	}
	if c.emf != nil {
		if err := c.emf.Write(emfMetrics(d, c.policy), d.Time); err != nil {
			c.log.Warn("autoscale: emf", "err", err)
		}
	}
}
