package snapshot

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Locks say a snapshot is being written or restored, or the store
// pruned. A lock is refreshed every lockRefresh while its holder works; one
// older than lockStale is from a process that died and is ignored.
const (
	lockRefresh = 5 * time.Minute
	lockStale   = 30 * time.Minute
)

type lockInfo struct {
	Kind     string    `json:"kind"` // create, restore or prune
	ID       string    `json:"id"`
	Snapshot string    `json:"snapshot,omitempty"` // the snapshot a restore reads
	Host     string    `json:"host"`
	Started  time.Time `json:"started"`
}

func lockKey(id string) string { return "locks/" + id + ".json" }

// takeLock writes the lock info (its Kind, ID and Snapshot; Host and
// Started are filled in) and keeps it fresh until the returned release is
// called, which deletes it.
func takeLock(ctx context.Context, s Store, info lockInfo) (release func(), err error) {
	info.Host, _ = os.Hostname()
	info.Started = time.Now().UTC()
	if err := putJSON(ctx, s, lockKey(info.ID), info); err != nil {
		return nil, fmt.Errorf("snapshot: lock: %w", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(lockRefresh)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				putJSON(ctx, s, lockKey(info.ID), info)
			}
		}
	}()
	return func() {
		cancel()
		<-done
		s.Delete(context.WithoutCancel(ctx), lockKey(info.ID))
	}, nil
}

// liveLocks returns the locks of kind that are not stale, other than own.
func liveLocks(ctx context.Context, s Store, kind, own string) ([]lockInfo, error) {
	var keys []string
	err := s.List(ctx, "locks/", func(o Object) error {
		if time.Since(o.Modified) < lockStale {
			keys = append(keys, o.Key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: locks: %w", err)
	}
	var live []lockInfo
	for _, k := range keys {
		var l lockInfo
		if getJSON(ctx, s, k, &l) == nil && l.Kind == kind && l.ID != own {
			live = append(live, l)
		}
	}
	return live, nil
}
