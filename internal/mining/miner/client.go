package miner

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// poolClient speaks one dialect to the pool.
type poolClient interface {
	// run connects, logs in and sends every new job to jobs until ctx
	// ends or the connection fails.
	run(ctx context.Context, jobs chan<- Job) error
	// submit sends a share and reports whether the pool accepted it;
	// reason says why it did not when the pool said.
	submit(ctx context.Context, s Solution) (accepted bool, reason string, err error)
	// reportHashrate tells the pool the measured rate in hashes per
	// second; id identifies this miner across reports.
	reportHashrate(ctx context.Context, rate float64, id [32]byte) error
}

// newClient picks the dialect from the pool URL's scheme.
func newClient(pool, worker string, poll time.Duration) (poolClient, error) {
	u, err := url.Parse(pool)
	if err != nil {
		return nil, fmt.Errorf("pool URL %q: %w", pool, err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("pool URL %q: no host", pool)
	}
	switch u.Scheme {
	case "http", "https":
		// The worker goes in the path unless the URL has one: give a
		// node's own getWork as http://node:8545/ (a path of "/").
		if u.Path == "" && worker != "" {
			u.Path = "/" + url.PathEscape(worker)
		}
		return &getWorkClient{url: u.String(), poll: poll}, nil
	case "stratum+tcp", "stratum2+tcp":
		return &ethStratumClient{addr: u.Host, worker: worker}, nil
	case "stratum1+tcp":
		return &ethProxyClient{addr: u.Host, worker: worker}, nil
	}
	return nil, fmt.Errorf("pool URL %q: scheme must be http, https, stratum+tcp (EthereumStratum/1.0.0), stratum2+tcp (the same) or stratum1+tcp (EthProxy)", pool)
}

// sendJob hands a job to the miner unless ctx ends first.
func sendJob(ctx context.Context, jobs chan<- Job, j Job) error {
	select {
	case jobs <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
