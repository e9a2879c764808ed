package pool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/httpserver"
)

// Verifier computes the mix digest and result of a nonce for a header at
// a height (ethash or etchash light verification).
type Verifier interface {
	Verify(height uint64, header [32]byte, nonce uint64) (mix, result [32]byte, err error)
}

// Options configure a Pool.
type Options struct {
	// Config is mining.pool, defaults applied.
	Config config.Pool
	// Node is the upstream node's JSON-RPC URL (mining.node, resolved).
	Node string
	// Etherbase, if set, is the address whose balance is watched.
	Etherbase string
	Verifier  Verifier
	Logger    *slog.Logger
	// Registry receives the ethfleet_mining_* metrics; Gatherer, if set,
	// is what GET /metrics on the getWork listener exposes.
	Registry prometheus.Registerer
	Gatherer prometheus.Gatherer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// BalanceInterval is how often the etherbase balance is read
	// (default 30s).
	BalanceInterval time.Duration
}

// Pool serves miners the node's work and verifies their shares.
type Pool struct {
	cfg          config.Pool
	etherbase    string
	verifier     Verifier
	log          *slog.Logger
	gatherer     prometheus.Gatherer
	now          func() time.Time
	balanceEvery time.Duration
	node         *node
	jobs         *jobStore
	metrics      *metrics

	mu      sync.Mutex
	workers map[string]*worker
	conns   map[*conn]bool
	blocks  uint64
	balance float64 // the etherbase's, in wei
	nonce   uint16  // the next stratum2 extranonce

	poll    chan struct{}
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	http    *httpserver.Server
	stratum net.Listener
}

// New makes a pool; Start starts it.
func New(opts Options) (*Pool, error) {
	if opts.Node == "" {
		return nil, errors.New("pool: no node")
	}
	if opts.Verifier == nil {
		return nil, errors.New("pool: no verifier")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BalanceInterval <= 0 {
		opts.BalanceInterval = 30 * time.Second
	}
	c := opts.Config
	if c.ShareDifficulty == 0 || c.Window <= 0 || c.TargetShares < 1 || c.MaxSharesPerSecond <= 0 || c.PollInterval <= 0 {
		return nil, fmt.Errorf("pool: config without defaults: %+v", c)
	}
	p := &Pool{
		cfg: c, etherbase: opts.Etherbase, verifier: opts.Verifier, log: opts.Logger,
		gatherer: opts.Gatherer, now: opts.Now, balanceEvery: opts.BalanceInterval,
		node: newNode(opts.Node), jobs: newJobStore(),
		workers: map[string]*worker{}, conns: map[*conn]bool{},
		poll: make(chan struct{}, 1),
	}
	m, err := newMetrics(opts.Registry, p)
	if err != nil {
		return nil, err
	}
	p.metrics = m
	return p, nil
}

// Start listens for miners and starts following the node's work.
func (p *Pool) Start() error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	srv, err := httpserver.Start("pool getWork", p.cfg.Listen, p.handler(), httpserver.Options{ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute, Logger: p.log})
	if err != nil {
		cancel()
		return err
	}
	p.http = srv
	if p.cfg.Stratum != "off" {
		ln, err := net.Listen("tcp", p.cfg.Stratum)
		if err != nil {
			cancel()
			srv.Stop()
			return fmt.Errorf("pool stratum: %w", err)
		}
		p.stratum = ln
		p.wg.Go(func() { p.accept(ctx, ln) })
	}
	p.wg.Go(func() { p.follow(ctx) })
	if p.etherbase != "" {
		p.wg.Go(func() { p.watchBalance(ctx) })
	}
	return nil
}

// Close stops serving and waits for everything to end.
func (p *Pool) Close() error {
	if p.cancel == nil {
		return nil
	}
	p.cancel()
	var errs []error
	if p.stratum != nil {
		p.stratum.Close()
	}
	p.mu.Lock()
	for c := range p.conns {
		c.close()
	}
	p.mu.Unlock()
	if p.http != nil {
		errs = append(errs, p.http.Stop())
	}
	p.wg.Wait()
	return errors.Join(errs...)
}

// HTTPURL is the getWork server's URL; StratumAddr the stratum listener's
// address ("" when off).
func (p *Pool) HTTPURL() string { return "http://" + p.http.Addr().String() }

func (p *Pool) StratumAddr() string {
	if p.stratum == nil {
		return ""
	}
	return p.stratum.Addr().String()
}

// follow polls the node's work every pollInterval (and at once when asked
// to), runs vardiff and forgets idle workers.
func (p *Pool) follow(ctx context.Context) {
	t := time.NewTicker(p.cfg.PollInterval)
	defer t.Stop()
	for {
		p.fetch(ctx)
		now := p.now()
		p.adjustAll(now)
		p.expireWorkers(now)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.poll:
		}
	}
}

// fetch takes the node's current work and tells the miners if it is new.
func (p *Pool) fetch(ctx context.Context) {
	job, err := p.node.getWork(ctx)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("no work from the node", "err", err)
		}
		return
	}
	isNew, newHeight := p.jobs.add(job)
	if isNew {
		p.log.Debug("new job", "height", job.Height, "header", hexHash(job.Header), "newHeight", newHeight)
		p.wakeConns()
	}
}

// pollNow asks follow to fetch work at once.
func (p *Pool) pollNow() {
	select {
	case p.poll <- struct{}{}:
	default:
	}
}

// watchBalance reads the etherbase balance every balanceEvery.
func (p *Pool) watchBalance(ctx context.Context) {
	t := time.NewTicker(p.balanceEvery)
	defer t.Stop()
	for {
		b, err := p.node.balance(ctx, p.etherbase)
		if err != nil {
			if ctx.Err() == nil {
				p.log.Warn("reading the etherbase balance", "err", err)
			}
		} else {
			f, _ := b.Float64()
			p.metrics.balance.Set(f)
			p.mu.Lock()
			p.balance = f
			p.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// workerList is the workers, by name.
func (p *Pool) workerList() []*worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	ws := make([]*worker, 0, len(p.workers))
	for _, w := range p.workers {
		ws = append(ws, w)
	}
	slices.SortFunc(ws, func(a, b *worker) int { return strings.Compare(a.name, b.name) })
	return ws
}

// wakeConns tells every stratum connection to catch up with the current
// job and its worker's difficulty.
func (p *Pool) wakeConns() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.poke()
	}
}
