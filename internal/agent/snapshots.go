package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/hold"
	"github.com/ethfleet/ethfleet/internal/probe"
	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/snapshot/stores"
)

// snapshotClient is the client go-ethereum snapshots are named by.
const snapshotClient = "geth"

// restoreFirstBoot fills an empty data directory from the latest snapshot
// of the node's network before its client first starts.
func (s *Service) restoreFirstBoot(ctx context.Context, node config.Node) error {
	sn := s.opts.Config.Agent.Snapshots
	if empty, err := snapshot.Empty(node.DataDir); err != nil {
		return fmt.Errorf("agent: first boot: %w", err)
	} else if !empty {
		return nil // not a first boot
	}
	store, err := stores.Open(ctx, sn.Store.Reveal())
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	s.store = store
	start := time.Now()
	m, err := snapshot.RestoreIfAny(ctx, store, node.DataDir, s.opts.Config.Network.Name, snapshotClient, func(err error) {
		s.log.Warn("first boot: restoring without a lock on the snapshot (a prune may remove it midway)", "err", err)
	})
	switch {
	case err != nil:
		return fmt.Errorf("agent: first boot: %w", err)
	case m == nil:
		s.log.Info("first boot: no snapshot in the store; the client syncs from its peers", "store", store)
	default:
		s.log.Info("first boot: restored a snapshot", "snapshot", m.ID, "block", m.Head.Number, "bytes", m.Totals.Bytes, "took", time.Since(start).Round(time.Second))
	}
	return nil
}

// startSnapshots makes the node the snapshotter if its snapshots have an
// interval and a way to stop its client. An agent that stopped
// mid-snapshot may have left its client held: it is let go first.
func (s *Service) startSnapshots(ctx context.Context, cfg *config.Config) error {
	sn := cfg.Agent.Snapshots
	if sn == nil {
		return nil
	}
	if sn.Hold != "" {
		if was, err := hold.Release(sn.Hold); err != nil {
			return fmt.Errorf("agent: %w", err)
		} else if was {
			s.log.Info("released the client an earlier run held for a snapshot")
		}
	}
	if sn.Every <= 0 || (cfg.Agent.Client == nil && len(sn.Containers) == 0 && sn.Hold == "") {
		return nil
	}
	s.snapshotRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ethfleet_agent_snapshots_total",
		Help: "Snapshots the agent set out to take, by result (ok or failed).",
	}, []string{"result"})
	s.snapshotLast = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "ethfleet_agent_snapshot_last_success_seconds",
		Help: "Unix time of the agent's last snapshot taken, 0 before the first.",
	})
	for _, c := range []prometheus.Collector{s.snapshotRuns, s.snapshotLast} {
		if err := s.opts.Registry.Register(c); err != nil {
			return fmt.Errorf("agent: metrics: %w", err)
		}
	}
	for _, n := range cfg.Nodes {
		if n.Name == cfg.Agent.Node {
			s.goRun(func() { s.runSnapshots(ctx, n) })
		}
	}
	return nil
}

// runSnapshots makes the node the fleet's snapshotter: every interval, if
// it is ready, it leaves rotation, waits for load balancers to notice,
// stops its client cleanly, snapshots, and starts the client again.
func (s *Service) runSnapshots(ctx context.Context, node config.Node) {
	sn := s.opts.Config.Agent.Snapshots
	t := time.NewTicker(sn.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if ready, _ := s.Ready(); !ready {
			s.log.Info("snapshot due but the node is not ready; skipped")
			continue
		}
		if err := s.snapshotOnce(ctx, node, sn); err != nil {
			s.log.Warn("snapshot failed", "err", err)
			s.snapshotRuns.WithLabelValues("failed").Inc()
			continue
		}
		s.snapshotRuns.WithLabelValues("ok").Inc()
		s.snapshotLast.SetToCurrentTime()
	}
}

func (s *Service) snapshotOnce(ctx context.Context, node config.Node, sn *config.AgentSnapshots) error {
	if s.store == nil {
		store, err := stores.Open(ctx, sn.Store.Reveal())
		if err != nil {
			return err
		}
		s.store = store
	}
	s.snapshotting.Store(true)
	defer s.snapshotting.Store(false)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(sn.Drain):
	}
	st := s.node.Status()
	var m *snapshot.Manifest
	var err error
	switch {
	case len(sn.Containers) > 0:
		m, err = s.snapshotBeside(ctx, node, sn, st, newContainers(sn.Docker, sn.Containers, stopGrace))
	case sn.Hold != "":
		m, err = s.snapshotBeside(ctx, node, sn, st, heldClient{dir: sn.Hold, grace: stopGrace})
	default:
		// A client that had to be killed did not flush its database: its
		// data directory is not one to give new nodes.
		if err = s.stopSupervised(); err != nil {
			err = fmt.Errorf("no snapshot: the client did not stop cleanly: %w", err)
		} else {
			m, err = snapshot.Take(ctx, s.store, node.DataDir, s.opts.Config.Network.Name, snapshotClient, st.ClientVersion, sn.Keep)
		}
		if rerr := s.superviseClient(node); rerr != nil {
			return errors.Join(err, fmt.Errorf("restart the client after the snapshot: %w", rerr))
		}
	}
	if err != nil {
		return err
	}
	s.log.Info("snapshot taken", "snapshot", m.ID, "block", m.Head.Number, "newChunks", m.Totals.NewChunks, "uploaded", m.Totals.Uploaded)
	return nil
}

// besideAgent stops the clients of a node that run beside the agent rather
// than under it, for a snapshot, and starts them again.
type besideAgent interface {
	stop(ctx context.Context) error
	start(ctx context.Context) error
}

// heldClient is an execution client in another container of the agent's
// pod, started by `ethfleet hold run` (Kubernetes).
type heldClient struct {
	dir   string
	grace time.Duration
}

func (h heldClient) stop(ctx context.Context) error { return hold.Stop(ctx, h.dir, h.grace) }

func (h heldClient) start(context.Context) error {
	_, err := hold.Release(h.dir)
	return err
}

// snapshotBeside stops the node's clients, snapshots the data directory and
// starts them again. A geth data directory tells its own head; another
// client's snapshot is labelled with the head the node last reported,
// which a clean stop keeps.
func (s *Service) snapshotBeside(ctx context.Context, node config.Node, sn *config.AgentSnapshots, st probe.Status, c besideAgent) (*snapshot.Manifest, error) {
	if err := c.stop(ctx); err != nil {
		// Some may have stopped: start what can be started.
		return nil, errors.Join(err, c.start(context.WithoutCancel(ctx)))
	}
	head := snapshot.Head{Number: st.Head.Number, Hash: st.Head.Hash.Hex()}
	if sn.Client == snapshotClient {
		if h, err := snapshot.GethHead(node.DataDir); err == nil {
			head = h
		}
	}
	m, err := snapshot.TakeAt(ctx, s.store, node.DataDir, s.opts.Config.Network.Name, sn.Client, st.ClientVersion, head, sn.Keep)
	if serr := c.start(context.WithoutCancel(ctx)); serr != nil {
		return m, errors.Join(err, fmt.Errorf("start the clients after the snapshot: %w", serr))
	}
	return m, err
}

// stopGrace is how long a client container is given to stop cleanly.
const stopGrace = 300 * time.Second
