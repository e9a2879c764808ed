package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethfleet/ethfleet/bench/benchcmd"
	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/snapshot/stores"
)

// The bench's snapshots are of network "devnet" and client "geth", as
// ethfleet up's are.
const (
	network = "devnet"
	client  = "geth"
)

// Snap is what snap reports: the snapshot's totals, and for a snapshot
// after another, where its new chunks come from.
type Snap struct {
	ID      string          `json:"id"`
	Head    uint64          `json:"head"`
	Seconds float64         `json:"seconds"`
	Totals  snapshot.Totals `json:"totals"`
	// New breaks the chunks the previous snapshot did not have down by
	// kind of file: raw bytes, and compressed bytes in the store.
	New map[string]NewBytes `json:"new,omitempty"`
}

// NewBytes are the new chunks of one kind of file.
type NewBytes struct {
	Files  int   `json:"files"` // files with at least one new chunk
	Chunks int   `json:"chunks"`
	Raw    int64 `json:"raw"`
	Stored int64 `json:"stored"`
}

// runSnap snapshots a stopped node's data directory with a given index,
// as the agent does on a schedule.
func runSnap(args []string) error {
	fl := flag.NewFlagSet("snap", flag.ExitOnError)
	dir := fl.String("dir", "", "the node's data directory (holding geth/)")
	storeDir := fl.String("store", "", "directory of the file:// store")
	index := fl.String("index", "", "the index of the data directory")
	prev := fl.String("prev", "", "id of the previous snapshot, to break the new chunks down")
	out := fl.String("out", "", "JSON file for the figures")
	fl.Parse(args)
	if *dir == "" || *storeDir == "" || *index == "" || *out == "" {
		return fmt.Errorf("-dir, -store, -index and -out are required")
	}
	ctx := context.Background()
	s, err := stores.Open(ctx, "file://"+*storeDir)
	if err != nil {
		return err
	}
	head, err := snapshot.GethHead(*dir)
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := snapshot.Create(ctx, snapshot.CreateOptions{Store: s, Dir: *dir, Network: network, Client: client, Head: head, IndexPath: *index})
	if err != nil {
		return err
	}
	r := Snap{ID: m.ID, Head: m.Head.Number, Seconds: time.Since(start).Seconds(), Totals: m.Totals}
	if *prev != "" {
		old, err := snapshot.LoadManifest(ctx, s, network, client, *prev)
		if err != nil {
			return err
		}
		if r.New, err = newChunks(*storeDir, old, m); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "snapshot %s at block %d: %d files, %.1f MiB; read %.1f MiB, uploaded %d chunks, %.1f MiB, in %.1fs\n",
		m.ID, m.Head.Number, m.Totals.Files, mib(m.Totals.Bytes), mib(m.Totals.Read), m.Totals.NewChunks, mib(m.Totals.Uploaded), r.Seconds)
	for kind, n := range r.New {
		fmt.Fprintf(os.Stderr, "  new in %-10s %3d files, %4d chunks, %8.1f MiB raw, %8.1f MiB stored\n", kind, n.Files, n.Chunks, mib(n.Raw), mib(n.Stored))
	}
	return benchcmd.WriteJSON(*out, r)
}

// newChunks sums up the chunks of m that old lacks, by kind of file.
func newChunks(storeDir string, old, m *snapshot.Manifest) (map[string]NewBytes, error) {
	had := map[string]bool{}
	for _, f := range old.Files {
		for _, c := range f.Chunks {
			had[c.Hash] = true
		}
	}
	out := map[string]NewBytes{}
	for _, f := range m.Files {
		n := out[kindOf(f.Path)]
		counted := false
		for _, c := range f.Chunks {
			if had[c.Hash] {
				continue
			}
			had[c.Hash] = true // a chunk twice in m is stored once
			info, err := os.Stat(filepath.Join(storeDir, "chunks", c.Hash[:2], c.Hash))
			if err != nil {
				return nil, err
			}
			if !counted {
				n.Files++
				counted = true
			}
			n.Chunks++
			n.Raw += c.Size
			n.Stored += info.Size()
		}
		out[kindOf(f.Path)] = n
	}
	for k, n := range out {
		if n.Chunks == 0 {
			delete(out, k)
		}
	}
	return out, nil
}

// kindOf names the kind of a data directory's file: pebble's tables, its
// other files (WAL, MANIFEST, OPTIONS), the freezer's, or the rest.
func kindOf(p string) string {
	switch {
	case strings.HasSuffix(p, ".sst"):
		return "sst"
	case strings.Contains(p, "/ancient/"):
		return "freezer"
	case strings.Contains(p, "/chaindata/"):
		return "pebble-log" // WAL, MANIFEST, OPTIONS
	default:
		return path.Base(path.Dir(p)) + "/"
	}
}
