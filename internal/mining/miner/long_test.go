//go:build pow_long

// The long test mines a real block on core-geth's dev.pow chain
// (difficulty 131072). It is not run by default; run it with
//
//	ETHFLEET_CORE_GETH=/path/to/core-geth go test -tags pow_long -run TestMinesABlock -timeout 90m -v ./internal/mining/miner/
//
// (without -race: it is all hashing). Until the full-DAG hasher of
// internal/mining/dag lands it hashes in light mode: at about 6 ms a hash
// a block takes about 131072 hashes / (threads × 160 H/s), some 7 minutes
// on 2 cores on average and at times much longer. With the DAG (epoch 0
// generated once, ~9 min, into the cache directory below) it is ~40 kH/s.

package miner_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/mining/dag"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
	"github.com/ethfleet/ethfleet/internal/mining/miner"
	"github.com/ethfleet/ethfleet/internal/mining/powtest"
)

func TestMinesABlock(t *testing.T) {
	dagDir := dagCacheDir(t)
	node := powtest.Start(t, powtest.Options{DAGDir: dagDir})
	m := &miner.Miner{Pool: node.URL() + "/", Worker: "long", Threads: runtime.NumCPU(), Hasher: longHasher(t, dagDir),
		HashrateInterval: 10 * time.Second}
	stop := run(t, m)
	start := time.Now()
	lastLog := start
	await.True(t, 80*time.Minute, "core-geth's chain to extend", func() bool {
		if time.Since(lastLog) > time.Minute {
			lastLog = time.Now()
			s := m.Stats()
			t.Logf("%s: %d hashes (%.0f H/s), %d found", time.Since(start).Round(time.Second), s.Hashes,
				float64(s.Hashes)/time.Since(start).Seconds(), s.Found)
		}
		head, err := node.Head(context.Background())
		return err == nil && head >= 1
	})
	stop()
	if s := m.Stats(); s.Accepted < 1 {
		t.Errorf("the chain extended but the miner counted %d accepted solutions", s.Accepted)
	}
}

// longHasher is the hasher the long test mines with: full hashing over
// the DAG in dagDir, generated there first if it is not (about 9 minutes
// on 2 cores for epoch 0) and kept between runs.
func longHasher(t *testing.T, dagDir string) miner.Hasher {
	start := time.Now()
	d, err := dag.Ensure(t.Context(), dagDir, ethash.Ethash(), 0, dag.WithoutNext())
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	t.Logf("DAG of epoch 0 ready in %s (%s)", time.Since(start).Round(time.Second), dagDir)
	full := miner.NewFull(dagDir, ethash.Ethash(), func(msg string, args ...any) { t.Log(append([]any{msg}, args...)...) })
	t.Cleanup(func() { full.Close() })
	return full
}

// dagCacheDir is where DAGs are kept between runs: $ETHFLEET_DAG_CACHE,
// else ethfleet/dag in the user's cache directory.
func dagCacheDir(t *testing.T) string {
	dir := os.Getenv("ETHFLEET_DAG_CACHE")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Fatalf("no cache directory for the DAG (set ETHFLEET_DAG_CACHE): %v", err)
		}
		dir = filepath.Join(cache, "ethfleet", "dag")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
