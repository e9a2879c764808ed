package fleet

import (
	"context"
	"fmt"

	"github.com/ethfleet/ethfleet/internal/agent"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/probe"
)

// startMonitor judges every node's readiness, as an agent next to it
// would, against the gateway's fleet head and the references, which it
// probes for the purpose.
func (f *Fleet) startMonitor(nodes []node) error {
	cfg := f.opts.Config
	ctx, cancel := context.WithCancel(context.Background())
	f.stops = append(f.stops, func() error { cancel(); return nil })
	var refs []agent.StatusSource
	for _, r := range cfg.References {
		p := probe.New(probe.Config{
			Name:     r.Name,
			RPC:      r.RPC.Reveal(),
			Interval: f.opts.ProbeInterval,
			Logger:   f.log.With("part", "reference"),
			Redact:   config.Redactor(r.RPC),
		})
		refs = append(refs, p)
		f.goRun(ctx, p.Run)
	}
	watched := make([]agent.Node, len(nodes))
	for i, n := range nodes {
		watched[i] = agent.Node{Source: f.probes[i], BeaconURL: n.beacon, DataDir: n.dataDir}
	}
	f.monitor = agent.New(agent.Config{
		Nodes:      watched,
		References: refs,
		FleetHead:  func() uint64 { return f.router.View().Head },
		Rules:      rules(cfg.Agent),
	})
	if err := f.opts.Registry.Register(f.monitor); err != nil {
		return fmt.Errorf("fleet: node metrics: %w", err)
	}
	f.goRun(ctx, f.monitor.Run)
	return nil
}

// rules are the readiness rules the fleet description sets.
func rules(a config.Agent) agent.Rules {
	return agent.Rules{MaxLag: *a.MaxLag, MaxHeadAge: a.MaxHeadAge, MinPeers: a.MinPeers}
}

// Monitor judges the readiness of every node.
func (f *Fleet) Monitor() *agent.Monitor { return f.monitor }
