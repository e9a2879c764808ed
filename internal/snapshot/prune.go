package snapshot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PruneReport says what a prune removed.
type PruneReport struct {
	Manifests   []string // ids of the snapshots removed
	Chunks      int
	ChunksBytes int64
}

// Prune keeps the newest keep snapshots of every network and client (of
// network and client only, when given) and deletes the rest, then every
// chunk no remaining snapshot uses (mark and sweep). It refuses to run
// while a snapshot is being written, keeps every snapshot being restored,
// and never deletes a chunk written after it began, which a snapshot that
// started since may use.
func Prune(ctx context.Context, s Store, network, client string, keep int) (*PruneReport, error) {
	if keep < 1 {
		return nil, fmt.Errorf("snapshot: prune: keep must be at least 1, got %d", keep)
	}
	start := time.Now()
	release, err := takeLock(ctx, s, lockInfo{Kind: "prune", ID: "prune-" + newID()})
	if err != nil {
		return nil, err
	}
	defer release()
	if err := refuseWhileCreating(ctx, s); err != nil {
		return nil, err
	}
	restoring, err := restoringSnapshots(ctx, s)
	if err != nil {
		return nil, err
	}
	all, err := List(ctx, s, "", "")
	if err != nil {
		return nil, err
	}
	report := &PruneReport{}
	kept := map[string]int{} // network/client -> snapshots kept
	marked := map[string]bool{}
	for i := len(all) - 1; i >= 0; i-- { // newest first
		m := all[i]
		group := m.Network + "/" + m.Client
		inScope := (network == "" || m.Network == network) && (client == "" || m.Client == client)
		switch {
		case restoring[m.ID]:
			mark(marked, m)
			continue
		case !inScope || kept[group] < keep:
			kept[group]++
			mark(marked, m)
			continue
		}
		if err := s.Delete(ctx, manifestKey(m.Network, m.Client, m.ID)); err != nil {
			return nil, fmt.Errorf("snapshot: prune: %w", err)
		}
		report.Manifests = append(report.Manifests, m.ID)
	}
	// A create that began after the check above may use unmarked chunks
	// it found in the store, and a restore that began may read a snapshot
	// whose manifest was just deleted: look again before sweeping.
	if err := refuseWhileCreating(ctx, s); err != nil {
		return report, err
	}
	if restoring, err = restoringSnapshots(ctx, s); err != nil {
		return report, err
	}
	for _, m := range all {
		if restoring[m.ID] {
			mark(marked, m)
		}
	}
	var sweep []Object
	err = s.List(ctx, "chunks/", func(o Object) error {
		hash := o.Key[strings.LastIndex(o.Key, "/")+1:]
		if !marked[hash] && o.Modified.Before(start.Add(-time.Minute)) {
			sweep = append(sweep, o)
		}
		return nil
	})
	if err != nil {
		return report, fmt.Errorf("snapshot: prune: %w", err)
	}
	for _, o := range sweep {
		if err := s.Delete(ctx, o.Key); err != nil {
			return report, fmt.Errorf("snapshot: prune: %w", err)
		}
		report.Chunks++
		report.ChunksBytes += o.Size
	}
	return report, nil
}

func refuseWhileCreating(ctx context.Context, s Store) error {
	locks, err := liveLocks(ctx, s, "create", "")
	if err != nil {
		return err
	}
	if len(locks) > 0 {
		return fmt.Errorf("snapshot: prune: snapshot %s is being written (since %s by %s); prune after it is done",
			locks[0].ID, locks[0].Started.Format(time.RFC3339), locks[0].Host)
	}
	return nil
}

// mark marks the chunks of m.
func mark(marked map[string]bool, m *Manifest) {
	for _, f := range m.Files {
		for _, c := range f.Chunks {
			marked[c.Hash] = true
		}
	}
}

// restoringSnapshots are the ids of the snapshots being restored now.
func restoringSnapshots(ctx context.Context, s Store) (map[string]bool, error) {
	locks, err := liveLocks(ctx, s, "restore", "")
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, l := range locks {
		ids[l.Snapshot] = true
	}
	return ids, nil
}
