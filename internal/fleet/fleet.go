package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/agent"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/dashboard"
	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/gateway"
	"github.com/ethfleet/ethfleet/internal/httpserver"
	"github.com/ethfleet/ethfleet/internal/ops"
	"github.com/ethfleet/ethfleet/internal/probe"
	"github.com/ethfleet/ethfleet/internal/snapshot"
)

// Options configure a fleet.
type Options struct {
	// Config describes the fleet.
	Config *config.Config
	// Devnet runs the embedded dev chain and serves its nodes; otherwise
	// the fleet serves the nodes Config lists.
	Devnet bool
	// DataDir holds the devnet's chains.
	DataDir string
	// Fresh deletes DataDir before starting.
	Fresh bool
	// ProbeInterval is the time between status polls (default 2s).
	ProbeInterval time.Duration
	Logger        *slog.Logger
	// Registry receives every metric and is what /metrics exposes.
	Registry *prometheus.Registry
}

// shutdownTimeout bounds the graceful stop of each HTTP server.
const shutdownTimeout = 5 * time.Second

// Fleet is an embedded fleet behind one JSON-RPC endpoint.
type Fleet struct {
	opts      Options
	log       *slog.Logger
	devnet    *devnet.Devnet
	router    *gateway.Router
	probes    []*probe.Probe
	monitor   *agent.Monitor
	snapshots snapshot.Store // the devnet's

	gatewayAddr, opsAddr net.Addr
	stops                []func() error // undo each started part, in start order
	wg                   sync.WaitGroup
}

// New returns a fleet described by opts. It starts nothing.
func New(opts Options) *Fleet {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	return &Fleet{opts: opts, log: opts.Logger}
}

// Start brings the fleet up. On error it stops whatever it started.
func (f *Fleet) Start() (err error) {
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	cfg := f.opts.Config
	nodes := nodesOf(cfg)
	if f.opts.Devnet {
		if nodes, err = f.startDevnet(); err != nil {
			return err
		}
	}
	if len(nodes) == 0 {
		return errors.New("fleet: no nodes to serve")
	}
	upstreams, err := f.startProbes(nodes)
	if err != nil {
		return err
	}
	if err := f.startGateway(upstreams); err != nil {
		return err
	}
	if err := f.startMonitor(nodes); err != nil {
		return err
	}
	if f.devnet != nil {
		ctx, cancel := context.WithCancel(context.Background())
		f.stops = append(f.stops, func() error { cancel(); return nil })
		f.goRun(ctx, f.runSnapshots)
	}
	return f.startOps()
}

// node is one execution client the fleet serves from.
type node struct {
	name, rpc, ws string
	beacon        string // its consensus client's Beacon API, if any
	dataDir       string // where its chain is, if visible from here
	redact        func(string) string
}

// nodesOf lists the nodes the fleet description names.
func nodesOf(cfg *config.Config) []node {
	nodes := make([]node, len(cfg.Nodes))
	for i, n := range cfg.Nodes {
		nodes[i] = node{name: n.Name, rpc: n.RPC.Reveal(), ws: n.WS.Reveal(), beacon: n.Beacon.Reveal(),
			dataDir: n.DataDir, redact: config.Redactor(n.RPC, n.WS, n.Beacon)}
	}
	return nodes
}

// startDevnet starts the embedded dev chain and returns its nodes.
func (f *Fleet) startDevnet() ([]node, error) {
	cfg := f.opts.Config
	if f.opts.Fresh {
		if err := os.RemoveAll(f.opts.DataDir); err != nil {
			return nil, fmt.Errorf("fleet: fresh start: %w", err)
		}
	}
	if err := f.openSnapshots(); err != nil {
		return nil, err
	}
	f.devnet = devnet.New(devnet.Config{
		DataDir:        f.opts.DataDir,
		Followers:      *cfg.Devnet.Followers,
		BlockTime:      cfg.Devnet.BlockTime,
		TxPerBlock:     *cfg.Devnet.TxPerBlock,
		NoLogIndex:     !*cfg.Devnet.LogIndex,
		Logger:         f.log.With("part", "devnet"),
		BeforeFollower: f.restoreFollower,
	})
	if err := f.devnet.Start(); err != nil {
		return nil, err
	}
	f.stops = append(f.stops, f.devnet.Close)
	var nodes []node
	for _, n := range f.devnet.Nodes() {
		nodes = append(nodes, node{name: n.Name(), rpc: n.HTTPURL(), ws: n.WSURL(), dataDir: n.DataDir()})
	}
	return nodes, nil
}

// upstreamHTTP is the gateway's HTTP client for its nodes: enough idle
// connections per node for parallel load (Go keeps 2 by default), and no
// compression, which between a gateway and its own nodes costs CPU at both
// ends to save bandwidth nobody is short of.
var upstreamHTTP = &http.Client{Transport: &http.Transport{
	Proxy:               nil,
	MaxIdleConns:        1024,
	MaxIdleConnsPerHost: 256,
	IdleConnTimeout:     90 * time.Second,
	DisableCompression:  true,
	ForceAttemptHTTP2:   false,
}}

// startProbes starts one probe per node and returns the upstreams the
// gateway serves from.
func (f *Fleet) startProbes(nodes []node) ([]*gateway.Upstream, error) {
	ctx, cancel := context.WithCancel(context.Background())
	f.stops = append(f.stops, func() error {
		cancel()
		f.wg.Wait()
		return nil
	})
	var upstreams []*gateway.Upstream
	for _, n := range nodes {
		p := probe.New(probe.Config{
			Name:     n.name,
			RPC:      n.rpc,
			WS:       n.ws,
			Interval: f.opts.ProbeInterval,
			Logger:   f.log.With("part", "probe"),
			Redact:   n.redact,
		})
		f.probes = append(f.probes, p)
		c, err := gateway.HTTPConn(n.rpc, upstreamHTTP)
		if err != nil {
			return nil, fmt.Errorf("fleet: %s: %w", n.name, err)
		}
		c = gateway.Coalesce(c, f.opts.Config.Gateway.UpstreamConcurrency)
		upstreams = append(upstreams, gateway.NewUpstream(n.name, c, p).WithWebSocket(n.ws))
		f.goRun(ctx, p.Run)
	}
	return upstreams, nil
}

func (f *Fleet) startGateway(upstreams []*gateway.Upstream) error {
	g := f.opts.Config.Gateway
	log := f.log.With("part", "gateway")
	references, err := f.dialReferences()
	if err != nil {
		return err
	}
	router, err := gateway.NewRouter(upstreams, references, gateway.RouterConfig{
		MaxLag:     *g.MaxLag,
		ChainID:    f.opts.Config.Network.ChainID,
		OutlierGap: *g.OutlierGap,
		MinPeers:   g.MinPeers,
	}, log, f.opts.Registry)
	if err != nil {
		return err
	}
	f.router = router
	ctx, cancel := context.WithCancel(context.Background())
	f.stops = append(f.stops, func() error { cancel(); return nil })
	f.goRun(ctx, router.Run)

	srv, err := gateway.NewServer(gatewayConfig(g), router, log, f.opts.Registry)
	if err != nil {
		return err
	}
	f.goRun(ctx, srv.Run)
	addr, err := f.serve("gateway", g.Listen, srv.Handler(), g.TLS, timeouts{g.ReadHeaderTimeout, g.IdleTimeout})
	f.gatewayAddr = addr
	return err
}

// dialReferences returns the references as upstreams of last resort when
// the gateway falls back to them, and none otherwise.
func (f *Fleet) dialReferences() ([]*gateway.Upstream, error) {
	cfg := f.opts.Config
	if !cfg.Gateway.Fallback {
		return nil, nil
	}
	var refs []*gateway.Upstream
	for _, r := range cfg.References {
		conn, err := f.dialReference(r.RPC.Reveal())
		if err != nil {
			// The error may quote the URL, which may carry a key.
			return nil, fmt.Errorf("fleet: reference %s (%s): cannot dial", r.Name, r.RPC)
		}
		refs = append(refs, gateway.NewReference(r.Name, conn))
	}
	return refs, nil
}

// dialReference connects to a reference: bytes over HTTP, or go-ethereum's
// client over WebSocket.
func (f *Fleet) dialReference(url string) (gateway.Conn, error) {
	if strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://") {
		return gateway.HTTPConn(url, upstreamHTTP)
	}
	c, err := rpc.DialContext(context.Background(), url)
	if err != nil {
		return nil, err
	}
	f.stops = append(f.stops, func() error { c.Close(); return nil })
	return gateway.RPCConn(c), nil
}

// gatewayConfig turns the fleet description's gateway section into the
// gateway's own configuration.
func gatewayConfig(g config.Gateway) gateway.Config {
	deny := g.Methods.Deny
	if deny == nil {
		deny = gateway.DefaultDeny
	}
	keys := make([]gateway.APIKey, len(g.APIKeys))
	for i, k := range g.APIKeys {
		keys[i] = gateway.APIKey{Name: k.Name, Key: k.Key.Reveal()}
	}
	limit := func(l *config.Limit) *gateway.Limit {
		if l == nil {
			return nil
		}
		return &gateway.Limit{Rate: l.Rate, Burst: l.Burst}
	}
	return gateway.Config{
		MaxBatch:        g.MaxBatch,
		MaxBodyBytes:    g.MaxBodyBytes,
		RequestTimeout:  g.RequestTimeout,
		Policy:          gateway.Policy{Deny: deny, Allow: g.Methods.Allow},
		BroadcastWrites: g.BroadcastWrites,
		CORSOrigins:     g.CORS.Origins,
		CacheBytes:      *g.Cache.MaxBytes,
		MergeInFlight:   *g.MergeInFlight,
		Keys:            keys,
		Limits: gateway.RateLimits{
			PerKey:     limit(g.RateLimit.PerKey),
			PerIP:      limit(g.RateLimit.PerIP),
			MethodCost: g.RateLimit.MethodCost,
		},
	}
}

func (f *Fleet) startOps() error {
	h := ops.Handler(ops.Config{
		Ready:     f.Ready,
		Status:    func() any { return f.View() },
		Nodes:     func() any { return f.monitor.Reports() },
		History:   func(since int64) any { return f.monitor.History(since) },
		Dashboard: dashboard.Handler(),
		Gatherer:  f.opts.Registry,
	})
	addr, err := f.serve("ops", f.opts.Config.Ops.Listen, h, config.TLS{}, timeouts{config.DefaultReadHeader, config.DefaultIdle})
	f.opsAddr = addr
	return err
}

// serve listens on addr and serves h, over TLS when files names a
// certificate, until the fleet stops.
func (f *Fleet) serve(name, addr string, h http.Handler, files config.TLS, t timeouts) (net.Addr, error) {
	srv, err := httpserver.Start(name, addr, h, httpserver.Options{
		CertFile:          files.CertFile,
		KeyFile:           files.KeyFile,
		ReadHeaderTimeout: t.readHeader,
		IdleTimeout:       t.idle,
		Grace:             shutdownTimeout,
		Logger:            f.log,
	})
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	f.stops = append(f.stops, srv.Stop)
	return srv.Addr(), nil
}

// timeouts bound how long an HTTP server waits on a client.
type timeouts struct{ readHeader, idle time.Duration }

func (f *Fleet) goRun(ctx context.Context, run func(context.Context) error) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		if err := run(ctx); err != nil {
			f.log.Error("fleet part stopped", "err", err)
		}
	}()
}

// Close stops every started part in reverse order of start.
func (f *Fleet) Close() error {
	var errs []error
	for i := len(f.stops) - 1; i >= 0; i-- {
		errs = append(errs, f.stops[i]())
	}
	f.stops = nil
	return errors.Join(errs...)
}

// GatewayURL is the JSON-RPC endpoint.
func (f *Fleet) GatewayURL() string { return "http://" + f.gatewayAddr.String() }

// OpsURL is the ops server's base URL.
func (f *Fleet) OpsURL() string { return "http://" + f.opsAddr.String() }

// Devnet is the embedded chain behind the gateway, or nil.
func (f *Fleet) Devnet() *devnet.Devnet { return f.devnet }

// View is the gateway's current picture of the fleet.
func (f *Fleet) View() gateway.View { return f.router.View() }

// WaitFit waits until the gateway has a fit node to serve from, or ctx
// ends.
func (f *Fleet) WaitFit(ctx context.Context) error {
	changed, stop := f.router.Watch()
	defer stop()
	for f.View().Fit == 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
	return nil
}

// Ready reports whether the gateway has a fit node to serve from.
func (f *Fleet) Ready() (bool, string) {
	v := f.View()
	why := fmt.Sprintf("%d of %d nodes fit, fleet head %d", v.Fit, len(v.Upstreams), v.Head)
	return v.Fit > 0, why
}
