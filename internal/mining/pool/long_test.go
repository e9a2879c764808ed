//go:build pow_long

package pool_test

// The long test mines a real block through the pool: a full-DAG miner (the
// epoch-0 DAG, 1 GiB, generated once in about 9 minutes on 2 cores and kept
// in $ETHFLEET_DAG_CACHE or the user's cache directory) mines core-geth's
// work at the pool, and the pool forwards the share that meets the network
// target. Run it with
//
//	ETHFLEET_CORE_GETH=$(go env GOPATH)/bin/core-geth go test -tags pow_long -run TestPoolMinesABlock -timeout 90m -v ./internal/mining/pool/

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/mining/dag"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
	"github.com/ethfleet/ethfleet/internal/mining/miner"
	"github.com/ethfleet/ethfleet/internal/mining/powtest"
)

func TestPoolMinesABlock(t *testing.T) {
	dir := os.Getenv("ETHFLEET_DAG_CACHE")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(cache, "ethfleet", "dag")
	}
	start := time.Now()
	d, err := dag.Ensure(t.Context(), dir, ethash.Ethash(), 0, dag.WithoutNext())
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	t.Logf("DAG of epoch 0 ready in %s (%s)", time.Since(start).Round(time.Second), dir)

	node := powtest.Start(t, powtest.Options{})
	p := startPool(t, node.URL(), 10000)
	full := miner.NewFull(dir, ethash.Ethash(), nil)
	t.Cleanup(func() { full.Close() })
	m := &miner.Miner{Pool: "stratum+tcp://" + p.StratumAddr(), Worker: "full", Threads: 2, Hasher: full,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)
	await.True(t, 80*time.Minute, "a block found through the pool", func() bool {
		head, err := node.Head(ctx)
		return err == nil && head >= 1 && p.Stats().Blocks >= 1
	})
	st := p.Stats()
	t.Logf("block found after %s: verified %.0f H/s (%.0f–%.0f) from %d shares", time.Since(start).Round(time.Second),
		st.Total.Hashrate, st.Total.Low, st.Total.High, st.Total.Shares.Accepted)
}
