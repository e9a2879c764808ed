package main

import (
	"context"
	"fmt"
	"os"
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
	// Another client's data directory: its head comes from --head.
	reth := t.TempDir()
	os.MkdirAll(filepath.Join(reth, "db"), 0o755)
	os.WriteFile(filepath.Join(reth, "db", "mdbx.dat"), []byte("reth"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--client", "reth", "--datadir", reth}, "--head is required for a reth data directory"},
		{[]string{"--client", "reth", "--datadir", reth, "--head", "42"}, "devnet reth at block 42"},
		{[]string{"--datadir", t.TempDir()}, "holds no go-ethereum database"},
	}
	for _, tt := range cases {
		args := append([]string{"snapshot", "create", "--store", store, "--network", "devnet"}, tt.args...)
		out, err := run(ctx, args...)
		if got := out + fmt.Sprint(err); !strings.Contains(got, tt.want) {
			t.Errorf("ethfleet %s: %s, want %q", strings.Join(args, " "), got, tt.want)
		}
	}
	empty := filepath.Join(t.TempDir(), "new")
	if out, err := run(ctx, "snapshot", "restore", "--boot", "--store", store, "--network", "hoodi", "--datadir", empty); err != nil || !strings.Contains(out, "syncs from its peers") {
		t.Errorf("first boot of a fleet's first node: %v\n%s", err, out)
	}
}
