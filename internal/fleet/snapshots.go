package fleet

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/snapshot/stores"
)

// The devnet's snapshots are of network "devnet" and client "geth".
const (
	devnetNetwork = "devnet"
	devnetClient  = "geth"
	// drainWait bounds how long a drained node's requests in flight may
	// take before it is stopped anyway.
	drainWait = 5 * time.Second
)

// openSnapshots opens the devnet's snapshot store: the configured one, or
// a directory beside the nodes' data.
func (f *Fleet) openSnapshots() error {
	url := f.opts.Config.Devnet.Snapshots.Store.Reveal()
	if url == "" {
		url = "file://" + filepath.Join(f.opts.DataDir, "snapshots")
	}
	s, err := stores.Open(context.Background(), url)
	if err != nil {
		return fmt.Errorf("fleet: %w", err)
	}
	f.snapshots = s
	return nil
}

// restoreFollower fills a new follower's empty data directory from the
// latest snapshot, if there is one; the follower catches up from there.
func (f *Fleet) restoreFollower(name, dir string) error {
	start := time.Now()
	m, err := snapshot.RestoreIfAny(context.Background(), f.snapshots, dir, devnetNetwork, devnetClient, nil)
	if err != nil {
		return err
	}
	if m == nil {
		f.log.Info("no snapshot yet: the new follower syncs from genesis", "node", name)
		return nil
	}
	f.log.Info("new follower restored from a snapshot", "node", name, "snapshot", m.ID, "block", m.Head.Number,
		"bytes", m.Totals.Bytes, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// snapshotter is the follower that leaves rotation to be snapshotted.
func (f *Fleet) snapshotter() string {
	if name := f.opts.Config.Devnet.Snapshots.Snapshotter; name != "" {
		return name
	}
	nodes := f.devnet.Nodes()
	if len(nodes) < 2 {
		return ""
	}
	return nodes[len(nodes)-1].Name()
}

// runSnapshots takes a snapshot every interval until ctx ends.
func (f *Fleet) runSnapshots(ctx context.Context) error {
	every := *f.opts.Config.Devnet.Snapshots.Every
	if every <= 0 || f.snapshotter() == "" {
		return nil
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := f.TakeSnapshot(ctx); err != nil {
				f.log.Warn("snapshot failed", "err", err)
			}
		}
	}
}

// TakeSnapshot takes the snapshotter follower out of rotation, lets its
// requests finish, stops it cleanly, snapshots its data directory, starts
// it again and lets it back once it has caught up.
func (f *Fleet) TakeSnapshot(ctx context.Context) (*snapshot.Manifest, error) {
	name := f.snapshotter()
	var dir string
	for _, n := range f.devnet.Nodes() {
		if n.Name() == name {
			dir = n.DataDir()
		}
	}
	if name == "" || dir == "" || name == f.devnet.Producer().Name() {
		return nil, fmt.Errorf("fleet: no follower to snapshot (snapshotter %q)", name)
	}
	start := time.Now()
	f.router.Drain(name, true)
	defer f.router.Drain(name, false)
	deadline := time.Now().Add(drainWait)
	for !f.router.Idle(name) && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond) // requests in flight end on their own
	}
	if err := f.devnet.StopNode(name); err != nil {
		return nil, err
	}
	m, err := snapshot.Take(ctx, f.snapshots, dir, devnetNetwork, devnetClient, "", f.opts.Config.Devnet.Snapshots.Keep)
	if rerr := f.devnet.RestartFollower(name); rerr != nil {
		return m, fmt.Errorf("fleet: restart %s after its snapshot: %w", name, rerr)
	}
	if err != nil {
		return m, err
	}
	f.log.Info("snapshot taken", "node", name, "snapshot", m.ID, "block", m.Head.Number, "uploaded", m.Totals.Uploaded,
		"newChunks", m.Totals.NewChunks, "took", time.Since(start).Round(time.Millisecond))
	return m, nil // back in rotation: the router serves from it once it has caught up
}
