package snapshot

import (
	"context"
	"errors"
	"fmt"
)

// Take snapshots the data directory of a stopped go-ethereum node (its
// head read from its database), then prunes the store to keep snapshots of
// network and client. It is what the agent's and the devnet's snapshotter
// run while their node is out of rotation.
func Take(ctx context.Context, s Store, dir, network, client, clientVersion string, keep int) (*Manifest, error) {
	head, err := GethHead(dir)
	if err != nil {
		return nil, err
	}
	return TakeAt(ctx, s, dir, network, client, clientVersion, head, keep)
}

// TakeAt is Take for a data directory whose head the caller knows: that
// of a client other than go-ethereum, say, as the node last reported it.
func TakeAt(ctx context.Context, s Store, dir, network, client, clientVersion string, head Head, keep int) (*Manifest, error) {
	m, err := Create(ctx, CreateOptions{Store: s, Dir: dir, Network: network, Client: client, ClientVersion: clientVersion, Head: head})
	if err != nil {
		return nil, err
	}
	if _, err := Prune(ctx, s, network, client, keep); err != nil {
		return m, fmt.Errorf("snapshot %s taken; prune: %w", m.ID, err)
	}
	return m, nil
}

// RestoreIfAny restores the latest snapshot of network and client into
// dir. A store without one is not an error: it returns nil, and the node
// syncs from its peers. unlocked is RestoreOptions.Unlocked.
func RestoreIfAny(ctx context.Context, s Store, dir, network, client string, unlocked func(error)) (*Manifest, error) {
	m, err := Restore(ctx, RestoreOptions{Store: s, Dir: dir, Network: network, Client: client, Unlocked: unlocked})
	if errors.Is(err, ErrNoSnapshot) {
		return nil, nil
	}
	return m, err
}
