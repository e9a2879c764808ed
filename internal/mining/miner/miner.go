package miner

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a Miner's intervals.
const (
	DefaultHashrateInterval = 10 * time.Second
	DefaultPollInterval     = 500 * time.Millisecond
	submitTimeout           = 10 * time.Second
	maxRetryDelay           = 15 * time.Second
)

// Miner mines the pool's jobs until Run's context ends. Set the fields,
// then call Run once.
type Miner struct {
	// Pool is the pool's URL; its scheme picks the dialect (see the
	// package documentation).
	Pool string
	// Worker names the miner to the pool.
	Worker string
	// Threads hashing (default: the number of CPUs).
	Threads int
	// Hasher computes the proof of work.
	Hasher Hasher
	// Logger (default: slog.Default()).
	Logger *slog.Logger
	// HashrateInterval is how often the measured rate is reported to
	// the pool (default 10s); PollInterval how often getWork is polled
	// (default 500ms).
	HashrateInterval time.Duration
	PollInterval     time.Duration

	hashes, found, accepted, rejected atomic.Uint64
	jobs                              atomic.Uint64
}

// Stats are a miner's counters since Run started.
type Stats struct {
	At time.Time
	// Hashes computed, jobs received, and shares found, accepted and
	// rejected (a share whose submission failed counts as rejected; one
	// cut short by stopping as neither).
	Hashes, Jobs, Found, Accepted, Rejected uint64
}

// Stats returns the counters now.
func (m *Miner) Stats() Stats {
	return Stats{At: time.Now(), Hashes: m.hashes.Load(), Jobs: m.jobs.Load(), Found: m.found.Load(),
		Accepted: m.accepted.Load(), Rejected: m.rejected.Load()}
}

// Rate is the hash rate between two readings, in hashes per second.
func (s Stats) Rate(since Stats) float64 {
	d := s.At.Sub(since.At).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(s.Hashes-since.Hashes) / d
}

// Run mines until ctx ends, reconnecting to the pool when the connection
// fails. It returns nil when ctx ends and an error only for a
// configuration it cannot run with.
func (m *Miner) Run(ctx context.Context) error {
	if m.Hasher == nil {
		return errors.New("miner: no hasher")
	}
	poll := m.PollInterval
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	client, err := newClient(m.Pool, m.Worker, poll)
	if err != nil {
		return fmt.Errorf("miner: %w", err)
	}
	log := m.Logger
	if log == nil {
		log = slog.Default()
	}
	var id [32]byte
	_, _ = rand.Read(id[:])

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan Job)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); m.hashJobs(ctx, jobs, client, log) }()
	go func() { defer wg.Done(); m.reportHashrate(ctx, client, id, log) }()

	delay := time.Second
	for {
		start := time.Now()
		err := client.run(ctx, jobs)
		if ctx.Err() != nil {
			break
		}
		if time.Since(start) > time.Minute {
			delay = time.Second // it had been working
		}
		log.Warn("miner: pool connection failed; retrying", "pool", m.Pool, "in", delay, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetryDelay)
	}
	cancel()
	wg.Wait()
	if c, ok := client.(interface{ close() }); ok {
		c.close()
	}
	return nil
}

// hashJobs searches each job from the pool until the next one arrives.
func (m *Miner) hashJobs(ctx context.Context, jobs <-chan Job, client poolClient, log *slog.Logger) {
	threads := m.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	var wg sync.WaitGroup
	stop := func() {}
	defer func() { stop(); wg.Wait() }()
	for {
		var job Job
		select {
		case <-ctx.Done():
			return
		case job = <-jobs:
		}
		stop() // the old job's threads finish their current hash
		m.jobs.Add(1)
		log.Debug("miner: new job", "id", job.ID, "height", job.Height, "target", fmt.Sprintf("%x", job.Target))
		jobCtx, cancelJob := context.WithCancel(ctx)
		stop = cancelJob
		start := randomUint64()
		for i := range threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m.search(ctx, jobCtx.Done(), job, start+uint64(i), uint64(threads), client, log)
			}()
		}
	}
}

// search tries nonces n, n+step, n+2·step, ... of the job's free space
// until done is closed.
func (m *Miner) search(ctx context.Context, done <-chan struct{}, job Job, n, step uint64, client poolClient, log *slog.Logger) {
	for ; ; n += step {
		select {
		case <-done:
			return
		default:
		}
		nonce := job.nonce(n)
		mix, result := m.Hasher.Hash(job.Height, job.Header, nonce)
		m.hashes.Add(1)
		if job.meets(result) {
			m.found.Add(1)
			m.submit(ctx, Solution{Job: job, Nonce: nonce, Mix: mix}, client, log)
		}
	}
}

func (m *Miner) submit(ctx context.Context, s Solution, client poolClient, log *slog.Logger) {
	sctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	ok, reason, err := client.submit(sctx, s)
	switch {
	case err != nil && ctx.Err() != nil:
		// Stopping: the share is found but neither accepted nor rejected.
	case err != nil:
		m.rejected.Add(1)
		log.Warn("miner: submitting a share failed", "job", s.Job.ID, "err", err)
	case !ok:
		m.rejected.Add(1)
		log.Info("miner: share rejected", "job", s.Job.ID, "nonce", fmt.Sprintf("%#016x", s.Nonce), "reason", reason)
	default:
		m.accepted.Add(1)
		log.Debug("miner: share accepted", "job", s.Job.ID, "nonce", fmt.Sprintf("%#016x", s.Nonce))
	}
}

// reportHashrate tells the pool the measured rate every HashrateInterval.
func (m *Miner) reportHashrate(ctx context.Context, client poolClient, id [32]byte, log *slog.Logger) {
	every := m.HashrateInterval
	if every <= 0 {
		every = DefaultHashrateInterval
	}
	m.Every(ctx, every, func(_ Stats, rate float64) {
		rctx, cancel := context.WithTimeout(ctx, submitTimeout)
		err := client.reportHashrate(rctx, rate, id)
		cancel()
		if err != nil && ctx.Err() == nil {
			log.Debug("miner: reporting the hashrate failed", "err", err)
		}
	})
}

// Every calls fn with the counters and the hash rate since the last call
// every interval until ctx ends.
func (m *Miner) Every(ctx context.Context, interval time.Duration, fn func(now Stats, rate float64)) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	last := m.Stats()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := m.Stats()
		fn(now, now.Rate(last))
		last = now
	}
}

func randomUint64() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}
