package pool_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
	"github.com/ethfleet/ethfleet/internal/mining/miner"
	"github.com/ethfleet/ethfleet/internal/mining/pool"
	"github.com/ethfleet/ethfleet/internal/mining/powtest"
)

// startPool runs a pool in front of node's getWork.
func startPool(t *testing.T, node string, shareDifficulty uint64) *pool.Pool {
	t.Helper()
	cfg := config.Pool{
		Listen: "127.0.0.1:0", Stratum: "127.0.0.1:0",
		ShareDifficulty: shareDifficulty, MinShareDifficulty: 1,
		Window: 10 * time.Minute, TargetShares: 384, MaxSharesPerSecond: 1000, PollInterval: 100 * time.Millisecond,
	}
	reg := prometheus.NewRegistry()
	p, err := pool.New(pool.Options{
		Config: cfg, Node: node, Verifier: ethash.NewVerifier(ethash.Ethash()),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: reg, Gatherer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestVerifiedHashrateAgainstCoreGeth puts the pool in front of a real
// proof-of-work node (core-geth --dev.pow) and mines it with two light
// miners, one over getWork and one over EthereumStratum, at a low share
// difficulty. The hashrate the pool verifies must agree with what the
// miners really hashed, within the Poisson error of the share count: at
// 99.9% (3.29/√N) rather than the reported 95%, so that the test fails by
// chance once in a thousand runs, not once in twenty.
func TestVerifiedHashrateAgainstCoreGeth(t *testing.T) {
	node := powtest.Start(t, powtest.Options{})
	p := startPool(t, node.URL(), 16)
	hasher := miner.NewLight(ethash.Ethash())
	hasher.Hash(1, [32]byte{}, 0) // the epoch's cache, made before the clock starts
	miners := []*miner.Miner{
		{Pool: p.HTTPURL(), Worker: "getwork", Threads: 1, Hasher: hasher, PollInterval: 50 * time.Millisecond},
		{Pool: "stratum+tcp://" + p.StratumAddr(), Worker: "stratum", Threads: 1, Hasher: hasher},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, len(miners))
	start := time.Now()
	for _, m := range miners {
		m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		go func() { done <- m.Run(ctx) }()
	}
	const shares = 300
	await.True(t, 3*time.Minute, "shares from both miners", func() bool {
		st := p.Stats()
		return st.Total.Shares.Accepted >= shares && len(st.Workers) == 2
	})
	st := p.Stats()
	elapsed := time.Since(start)
	cancel()
	for range miners {
		<-done
	}

	var hashes uint64
	for _, m := range miners {
		hashes += m.Stats().Hashes
	}
	truth := float64(hashes) / elapsed.Seconds()
	n := float64(st.Total.Shares.Accepted)
	verified := st.Total.Hashrate
	t.Logf("true %.1f H/s, verified %.1f H/s (95%%: %.1f–%.1f) from %d shares; reported %.1f H/s",
		truth, verified, st.Total.Low, st.Total.High, st.Total.Shares.Accepted, st.Total.Reported)
	if rel := math.Abs(verified-truth) / truth; rel > 3.29/math.Sqrt(n) {
		t.Errorf("verified hashrate %.1f H/s is %.1f%% off the true %.1f H/s; %d shares allow %.1f%%",
			verified, 100*rel, truth, st.Total.Shares.Accepted, 100*3.29/math.Sqrt(n))
	}
	if st.Total.Low > verified || st.Total.High < verified || st.Total.High-st.Total.Low > 0.5*verified {
		t.Errorf("interval %.1f–%.1f around %.1f from %.0f shares", st.Total.Low, st.Total.High, verified, n)
	}
	if bad := st.Total.Shares.Invalid + st.Total.Shares.Duplicate; bad != 0 {
		t.Errorf("%d invalid or duplicate shares from honest miners", bad)
	}
}
