package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/httpserver"
	"github.com/ethfleet/ethfleet/internal/ops"
	"github.com/ethfleet/ethfleet/internal/probe"
	"github.com/ethfleet/ethfleet/internal/route53dns"
	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/supervise"
)

// ServiceOptions configure the agent that runs next to one node.
type ServiceOptions struct {
	// Config is the fleet description; its agent.node names the node.
	Config *config.Config
	// ProbeInterval is the time between status polls (default 2s).
	ProbeInterval time.Duration
	Logger        *slog.Logger
	// Registry receives the agent's metrics and is what /metrics exposes.
	Registry *prometheus.Registry
	// EC2MetadataURL and GCEMetadataURL override the metadata services'
	// addresses (tests point them at fakes).
	EC2MetadataURL, GCEMetadataURL string
	// Route53, if set, is the Route53 client (default: one from the AWS
	// SDK's usual configuration chain).
	Route53 route53dns.API
	// Stdout receives the EMF lines (default os.Stdout).
	Stdout io.Writer
}

// Service is `ethfleet agent`: it watches its node against the rest of
// the fleet and the references, and answers a load balancer's health
// checks on the ops port.
type Service struct {
	opts    ServiceOptions
	log     *slog.Logger
	node    *probe.Probe
	monitor *Monitor
	client  *supervise.Supervisor // nil unless the agent runs the client
	dns     *dnsRecord            // nil unless the agent keeps a record
	ops     *httpserver.Server

	stopping     atomic.Bool    // Close has begun: not ready any more
	snapshotting atomic.Bool    // out of rotation for a snapshot
	clientMu     sync.Mutex     // guards client, stopClient and clientErr
	store        snapshot.Store // the snapshot store, once opened
	snapshotRuns *prometheus.CounterVec
	snapshotLast prometheus.Gauge
	cancel       context.CancelFunc // stops watching
	stopClient   context.CancelFunc // stops the client, which may take minutes
	clientErr    error              // how the client's supervisor ended: ErrKilled if it had to kill it
	wg, clientWG sync.WaitGroup
}

// NewService returns the agent for the node opts.Config.Agent.Node names.
// It starts nothing.
func NewService(opts ServiceOptions) (*Service, error) {
	if opts.Config.Agent.Node == "" {
		return nil, errors.New("agent: the fleet description's agent.node must name the node to watch")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	return &Service{opts: opts, log: opts.Logger}, nil
}

// Start probes the node, the rest of the fleet and the references, starts
// judging, and serves the ops port. start bounds what Start does before
// it returns: a first boot's restore, which may take hours, stops with it
// (and resumes on the next start); the service runs until Close. On error
// it stops what it started.
func (s *Service) Start(start context.Context) (err error) {
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	cfg := s.opts.Config
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	var node Node
	var others, refs []StatusSource
	for _, n := range cfg.Nodes {
		if n.Name == cfg.Agent.Node && cfg.Agent.Client != nil {
			if cfg.Agent.Snapshots != nil {
				if err := s.restoreFirstBoot(start, n); err != nil {
					return err
				}
			}
			if err := s.superviseClient(n); err != nil {
				return err
			}
		}
		p := s.runProbe(ctx, n.Name, n.RPC, n.WS, config.Redactor(n.RPC, n.WS, n.Beacon))
		if n.Name != cfg.Agent.Node {
			others = append(others, p)
			continue
		}
		s.node = p
		node = Node{Source: p, BeaconURL: n.Beacon.Reveal(), DataDir: n.DataDir}
	}
	for _, r := range cfg.References {
		refs = append(refs, s.runProbe(ctx, r.Name, r.RPC, config.Secret{}, config.Redactor(r.RPC)))
	}
	s.monitor = New(Config{
		Nodes:      []Node{node},
		Others:     others,
		References: refs,
		OutlierGap: *cfg.Gateway.OutlierGap,
		Rules:      Rules{MaxLag: *cfg.Agent.MaxLag, MaxHeadAge: cfg.Agent.MaxHeadAge, MinPeers: cfg.Agent.MinPeers},
	})
	if err := s.opts.Registry.Register(s.monitor); err != nil {
		return fmt.Errorf("agent: metrics: %w", err)
	}
	s.goRun(func() { s.monitor.Run(ctx) })
	if err := s.startSnapshots(ctx, cfg); err != nil {
		return err
	}
	if cfg.Agent.DNS != nil {
		if s.dns, err = s.newDNSRecord(ctx); err != nil {
			return err
		}
		s.goRun(func() { s.dns.keep(ctx, s, time.Second) })
	}
	if e := cfg.Agent.EMF; e != nil {
		s.goRun(func() { s.writeEMF(ctx, s.opts.Stdout, e.Namespace, e.Every) })
	}
	h := ops.Handler(ops.Config{
		Healthy:  s.Healthy,
		Ready:    s.Ready,
		Status:   s.Status,
		Nodes:    func() any { return s.monitor.Reports() },
		History:  func(since int64) any { return s.monitor.History(since) },
		Gatherer: s.opts.Registry,
	})
	s.ops, err = httpserver.Start("ops", cfg.Ops.Listen, h, httpserver.Options{
		ReadHeaderTimeout: config.DefaultReadHeader,
		IdleTimeout:       config.DefaultIdle,
		Logger:            s.log,
	})
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	return nil
}

func (s *Service) runProbe(ctx context.Context, name string, rpc, ws config.Secret, redact func(string) string) *probe.Probe {
	p := probe.New(probe.Config{
		Name:     name,
		RPC:      rpc.Reveal(),
		WS:       ws.Reveal(),
		Interval: s.opts.ProbeInterval,
		Logger:   s.log.With("part", "probe"),
		Redact:   redact,
	})
	s.goRun(func() { p.Run(ctx) })
	return p
}

func (s *Service) goRun(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// Healthy reports whether the execution client answers.
func (s *Service) Healthy() (bool, string) {
	st := s.node.Status()
	if !st.Up {
		return false, "execution client unreachable: " + st.Err
	}
	return true, fmt.Sprintf("execution client %s answers", st.ClientVersion)
}

// Ready reports whether the node is ready to serve, and why not.
func (s *Service) Ready() (bool, string) {
	if s.stopping.Load() {
		return false, "the agent is stopping the node"
	}
	if s.snapshotting.Load() {
		return false, "out of rotation: taking a snapshot"
	}
	r := s.monitor.Reports()[0]
	if !r.Ready {
		return false, strings.Join(r.Reasons, "; ")
	}
	return true, fmt.Sprintf("head %d, %d peers", r.Head, r.Peers)
}

// superviseClient starts the node's execution client and keeps it running
// until Close.
func (s *Service) superviseClient(n config.Node) error {
	ctx, cancel := context.WithCancel(context.Background())
	sup, err := s.startClient(ctx, n)
	if err != nil {
		cancel()
		return err
	}
	s.clientMu.Lock()
	s.client, s.stopClient, s.clientErr = sup, cancel, nil
	s.clientMu.Unlock()
	s.clientWG.Add(1)
	go func() {
		defer s.clientWG.Done()
		err := sup.Run(ctx)
		if err != nil {
			s.log.Error("client supervisor stopped", "err", err)
		}
		s.clientMu.Lock()
		s.clientErr = err
		s.clientMu.Unlock()
	}()
	return nil
}

// stopSupervised stops the supervised client, if any, and waits for it. It
// returns an error wrapping supervise.ErrKilled if the client did not stop
// within its stop timeout and was killed.
func (s *Service) stopSupervised() error {
	s.clientMu.Lock()
	stop := s.stopClient
	s.clientMu.Unlock()
	if stop == nil {
		return nil
	}
	stop()
	s.clientWG.Wait()
	s.clientMu.Lock()
	defer s.clientMu.Unlock()
	return s.clientErr
}

// AgentStatus is what the agent's /status shows: its node's report, and
// the client it supervises, if any.
type AgentStatus struct {
	Report
	Supervised *supervise.State `json:"supervised,omitempty"`
}

// Status returns the agent's status.
func (s *Service) Status() any {
	st := AgentStatus{Report: s.monitor.Reports()[0]}
	s.clientMu.Lock()
	client := s.client
	s.clientMu.Unlock()
	if client != nil {
		state := client.State()
		st.Supervised = &state
	}
	return st
}

// OpsURL is the ops server's base URL.
func (s *Service) OpsURL() string { return "http://" + s.ops.Addr().String() }

// Close stops in the order that loses no request: /ready fails at once,
// the DNS record goes, then the client (SIGTERM, and up to its stop timeout to flush),
// then the watching, and the ops server last, so that load balancers see
// the node unready until the end.
func (s *Service) Close() error {
	s.stopping.Store(true)
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	if s.dns != nil {
		s.dns.remove(s)
	}
	s.stopSupervised()
	if s.ops != nil {
		return s.ops.Stop()
	}
	return nil
}
