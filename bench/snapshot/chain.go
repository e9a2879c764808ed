package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethfleet/ethfleet/bench/benchcmd"
	"github.com/ethfleet/ethfleet/internal/devnet"
)

// chainConfig is the devnet that builds the chain: no followers, and a
// timer so slow it never seals; SealBlocks does.
func chainConfig(dir string) devnet.Config {
	return devnet.Config{DataDir: dir, BlockTime: 24 * time.Hour,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
}

// runGen builds a chain of -blocks blocks in -dir (a devnet data dir).
func runGen(args []string) error {
	fl := flag.NewFlagSet("gen", flag.ExitOnError)
	dir := fl.String("dir", "", "devnet data directory to create")
	blocks := fl.Int("blocks", 20000, "blocks to seal")
	txs := fl.Int("txs", 100, "transactions per block")
	settle := fl.Duration("settle", settleTime, "how long the node runs on after the last block")
	out := fl.String("out", "", "JSON file for the chain's figures")
	fl.Parse(args)
	if *dir == "" || *out == "" {
		return fmt.Errorf("-dir and -out are required")
	}
	if _, err := os.Stat(*dir); err == nil {
		return fmt.Errorf("%s exists", *dir)
	}
	return seal(*dir, *blocks, *txs, *settle, *out)
}

// runGrow adds -blocks blocks to the chain in -dir.
func runGrow(args []string) error {
	fl := flag.NewFlagSet("grow", flag.ExitOnError)
	dir := fl.String("dir", "", "devnet data directory to grow")
	blocks := fl.Int("blocks", 200, "blocks to add")
	txs := fl.Int("txs", 100, "transactions per block")
	settle := fl.Duration("settle", settleTime, "how long the node runs on after the last block")
	out := fl.String("out", "", "JSON file for the chain's figures")
	fl.Parse(args)
	if *dir == "" || *out == "" {
		return fmt.Errorf("-dir and -out are required")
	}
	return seal(*dir, *blocks, *txs, *settle, *out)
}

// Chain is what gen and grow report.
type Chain struct {
	Head     uint64  `json:"head"`
	Blocks   int     `json:"blocks"` // sealed by this step
	TxPerBlk int     `json:"txPerBlock"`
	Seconds  float64 `json:"seconds"`
	Dir      DirStats
}

// settleTime is how long the node runs on after its last block before it
// closes: go-ethereum's freezer moves finalized blocks out of pebble once a
// minute, so a chain sealed in minutes would otherwise leave a backlog for
// the next snapshot that a chain built at its own pace does not have.
const settleTime = 70 * time.Second

// seal starts the devnet on dir, seals blocks, lets the node settle, and
// closes it cleanly.
func seal(dir string, blocks, txs int, settle time.Duration, out string) error {
	d := devnet.New(chainConfig(dir))
	if err := d.Start(); err != nil {
		return err
	}
	start := time.Now()
	const step = 1000
	for done := 0; done < blocks; done += step {
		n := min(step, blocks-done)
		if err := d.SealBlocks(context.Background(), n, txs); err != nil {
			d.Close()
			return err
		}
		el := time.Since(start)
		fmt.Fprintf(os.Stderr, "sealed %d/%d blocks (head %d) in %s, %.0f blocks/s\n",
			done+n, blocks, d.Producer().Head(), el.Round(time.Second), float64(done+n)/el.Seconds())
	}
	sealed := time.Since(start)
	head := d.Producer().Head()
	time.Sleep(settle)
	if err := d.Close(); err != nil {
		return err
	}
	stats, err := dirStats(producerDir(dir))
	if err != nil {
		return err
	}
	c := Chain{Head: head, Blocks: blocks, TxPerBlk: txs, Seconds: sealed.Seconds(), Dir: stats}
	fmt.Fprintf(os.Stderr, "chain: head %d; %s\n", head, stats)
	return benchcmd.WriteJSON(out, c)
}

// producerDir is the producer's data directory in a devnet data dir.
func producerDir(devnetDir string) string { return filepath.Join(devnetDir, "producer") }

// DirStats describe a data directory.
type DirStats struct {
	Bytes        int64 `json:"bytes"`
	Files        int   `json:"files"`
	SST          int   `json:"sst"`
	SSTBytes     int64 `json:"sstBytes"`
	Freezer      int   `json:"freezer"` // files under an ancient directory
	FreezerBytes int64 `json:"freezerBytes"`
}

func (s DirStats) String() string {
	return fmt.Sprintf("%.1f MiB in %d files: %d .sst (%.1f MiB), %d freezer (%.1f MiB)",
		mib(s.Bytes), s.Files, s.SST, mib(s.SSTBytes), s.Freezer, mib(s.FreezerBytes))
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// dirStats counts the regular files under dir.
func dirStats(dir string) (DirStats, error) {
	var s DirStats
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		s.Files++
		s.Bytes += info.Size()
		switch {
		case strings.HasSuffix(path, ".sst"):
			s.SST++
			s.SSTBytes += info.Size()
		case strings.Contains(filepath.ToSlash(path), "/ancient/"):
			s.Freezer++
			s.FreezerBytes += info.Size()
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("stats of %s: %w", dir, err)
	}
	return s, nil
}
