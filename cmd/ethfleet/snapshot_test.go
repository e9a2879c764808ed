package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/snapshot"
)

// TestSnapshotCommands snapshots a stopped devnet node through the CLI,
// lists, verifies and restores it, and prunes.
func TestSnapshotCommands(t *testing.T) {
	d := devnet.New(devnet.Config{DataDir: t.TempDir(), BlockTime: 100 * time.Millisecond, NoLogIndex: true})
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	await.True(t, 30*time.Second, "10 blocks", func() bool { return d.Producer().Head() >= 10 })
	dir := d.Producer().DataDir()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	head, err := snapshot.GethHead(dir)
	if err != nil {
		t.Fatal(err)
	}
	store := "file://" + t.TempDir()
	target := filepath.Join(t.TempDir(), "restored")
	ctx := context.Background()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"create", "--datadir", dir}, "uploaded"},
		{[]string{"create", "--datadir", dir}, "uploaded 0 new chunks"},
		{[]string{"list"}, "BLOCK"},
		{[]string{"verify"}, "every chunk is whole"},
		{[]string{"restore", "--boot", "--datadir", target}, "into " + target},
		{[]string{"restore", "--boot", "--datadir", target}, "holds data: nothing restored"},
		{[]string{"prune", "--keep", "1"}, "pruned 1 snapshots"},
	}
	for _, tt := range tests {
		args := append([]string{"snapshot"}, tt.args...)
		args = append(args, "--store", store, "--network", "devnet")
		out, err := run(ctx, args...)
		if err != nil || !strings.Contains(out, tt.want) {
			t.Fatalf("ethfleet %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	restored, err := snapshot.GethHead(target)
	if err != nil || restored != head {
		t.Errorf("restored head %+v, %v; want %+v", restored, err, head)
	}
	if out, err := run(ctx, "snapshot", "restore", "--store", store, "--network", "mainnet", "--datadir", t.TempDir()); err == nil || !strings.Contains(err.Error(), "no snapshot of mainnet geth") {
		t.Errorf("restore of another network: %v\n%s", err, out)
	}
	empty := filepath.Join(t.TempDir(), "new")
	if out, err := run(ctx, "snapshot", "restore", "--boot", "--store", store, "--network", "hoodi", "--datadir", empty); err != nil || !strings.Contains(out, "syncs from its peers") {
		t.Errorf("first boot of a fleet's first node: %v\n%s", err, out)
	}
}
