package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ethfleet/ethfleet/bench/benchcmd"
	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/snapshot/stores"
)

// Serve is what serve reports: how long a new follower took from the
// moment the devnet was about to start it until it would serve.
type Serve struct {
	Mode         string  `json:"mode"` // "genesis" or "restore"
	ColdCache    bool    `json:"coldCache"`
	Snapshot     string  `json:"snapshot,omitempty"`
	FromBlock    uint64  `json:"fromBlock"` // the follower's head when it opened
	Target       uint64  `json:"target"`
	TargetHash   string  `json:"targetHash"`
	Restore      float64 `json:"restoreSeconds"`
	Open         float64 `json:"openSeconds"`    // the node starting on its data dir
	CatchUp      float64 `json:"catchUpSeconds"` // from started to ready
	Total        float64 `json:"totalSeconds"`
	RestoreBytes int64   `json:"restoreBytes,omitempty"` // the snapshot's data dir
}

// runServe copies the chain's producer into a new devnet, starts one new
// follower on an empty data directory, restored from a snapshot first or
// not, and times it until it has the producer's head and is not syncing:
// what its agent's /ready waits for.
func runServe(args []string) error {
	fl := flag.NewFlagSet("serve", flag.ExitOnError)
	chain := fl.String("chain", "", "devnet data directory holding the chain (it is copied)")
	storeDir := fl.String("store", "", "directory of the file:// store")
	id := fl.String("snapshot", "", "snapshot to restore first; empty: sync from genesis")
	work := fl.String("work", "", "directory to run in (must not exist)")
	out := fl.String("out", "", "JSON file for the figures")
	fl.Parse(args)
	if *chain == "" || *work == "" || *out == "" {
		return fmt.Errorf("-chain, -work and -out are required")
	}
	dir := filepath.Join(*work, "devnet")
	for _, name := range []string{"faucet.key", "producer"} {
		if err := copyTree(filepath.Join(*chain, name), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	ctx := context.Background()
	r := Serve{Mode: "genesis", Snapshot: *id}
	var store snapshot.Store
	if *id != "" {
		r.Mode = "restore"
		s, err := stores.Open(ctx, "file://"+*storeDir)
		if err != nil {
			return err
		}
		store = s
	}
	var t0 time.Time
	cfg := chainConfig(dir)
	cfg.Followers = 1
	cfg.BeforeFollower = func(name, dir string) error {
		t0 = time.Now()
		if store == nil {
			return nil
		}
		m, err := snapshot.Restore(ctx, snapshot.RestoreOptions{Store: store, Dir: dir, Network: network, Client: client, ID: *id})
		if err != nil {
			return err
		}
		r.Restore, r.RestoreBytes = time.Since(t0).Seconds(), m.Totals.Bytes
		return nil
	}
	r.ColdCache = dropCaches()
	d := devnet.New(cfg)
	if err := d.Start(); err != nil {
		return err
	}
	defer d.Close()
	started := time.Now()
	r.Open = started.Sub(t0).Seconds() - r.Restore
	f := d.Nodes()[1]
	r.FromBlock = f.Head()
	if err := await(ctx, d, f, &r); err != nil {
		return err
	}
	r.Total = time.Since(t0).Seconds()
	r.CatchUp = r.Total - r.Restore - r.Open
	if err := d.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: from block %d to %d (%s): restore %.1fs, open %.1fs, catch-up %.1fs, total %.1fs\n",
		r.Mode, r.FromBlock, r.Target, r.TargetHash, r.Restore, r.Open, r.CatchUp, r.Total)
	return benchcmd.WriteJSON(*out, r)
}

// stallTimeout is how long a follower may stay at one block before the
// run fails.
const stallTimeout = 2 * time.Minute

// await waits until the follower has the producer's head and is not
// syncing. The devnet tells a follower of the head as soon as it starts,
// before it has a peer to fetch the block from, and then only when the head
// moves, which it does not here: so once the follower has its peer, the
// bench has the forkchoice sent again each half second, as a consensus
// client does each slot, until the follower moves.
func await(ctx context.Context, d *devnet.Devnet, f *devnet.Node, r *Serve) error {
	rc, err := rpc.DialContext(ctx, f.HTTPURL())
	if err != nil {
		return err
	}
	defer rc.Close()
	c := ethclient.NewClient(rc)
	p := d.Producer()
	r.Target = p.Head()
	pc, err := ethclient.Dial(p.HTTPURL())
	if err != nil {
		return err
	}
	defer pc.Close()
	want, err := pc.HeaderByNumber(ctx, new(big.Int).SetUint64(r.Target))
	if err != nil {
		return err
	}
	r.TargetHash = want.Hash().Hex()
	for kickoff := time.Now().Add(stallTimeout); ; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(kickoff) {
			return fmt.Errorf("%s: no peer", f.Name())
		}
		var peers string
		if err := rc.CallContext(ctx, &peers, "net_peerCount"); err != nil {
			return fmt.Errorf("%s: net_peerCount: %w", f.Name(), err)
		}
		if peers != "0x0" {
			break
		}
	}
	var resent time.Time
	started := false // the follower syncs to the target
	deadline := time.Now().Add(time.Hour)
	stalled := time.Now().Add(stallTimeout)
	for last := r.FromBlock; ; time.Sleep(50 * time.Millisecond) {
		head, err := c.BlockNumber(ctx)
		if err != nil {
			return err
		}
		progress, err := c.SyncProgress(ctx)
		if err != nil {
			return err
		}
		if head >= r.Target && progress == nil {
			break
		}
		started = started || head > r.FromBlock || (progress != nil && progress.HighestBlock >= r.Target)
		if !started && time.Since(resent) > 500*time.Millisecond {
			d.Resend()
			resent = time.Now()
		}
		if head != last {
			last, stalled = head, time.Now().Add(stallTimeout)
		}
		if time.Now().After(stalled) || time.Now().After(deadline) {
			return fmt.Errorf("%s: stuck at block %d of %d", f.Name(), head, r.Target)
		}
	}
	got, err := c.HeaderByNumber(ctx, new(big.Int).SetUint64(r.Target))
	if err != nil {
		return err
	}
	if got.Hash() != want.Hash() {
		return errors.New("the follower's block at the target is not the producer's")
	}
	return nil
}
