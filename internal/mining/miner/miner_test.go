package miner_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/mining/miner"
	"github.com/ethfleet/ethfleet/internal/mining/powtest"
)

// shareDifficulty makes about one light hash in four a share.
const shareDifficulty = 4

// run starts m and returns a function that stops it and checks Run's
// result.
func run(t *testing.T, m *miner.Miner) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return 10s after its context ended")
		}
	}
	t.Cleanup(stop)
	return stop
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestMinesSharesAtThePool mines light ethash shares at a tiny share
// difficulty against a fake pool in every dialect; midway the pool moves
// the miner to a new job (in EthereumStratum with a new extranonce too),
// and every share stays valid.
func TestMinesSharesAtThePool(t *testing.T) {
	pool := powtest.StartPool(t, shareDifficulty)
	hasher := miner.LightFrom(powtest.Light())
	for _, tc := range []struct {
		name, url string
		switchJob func()
	}{
		{"getWork", pool.HTTPURL(), pool.NewJob},
		{"EthereumStratum", "stratum+tcp://" + pool.StratumAddr(), pool.SetExtranonce},
		{"EthProxy", "stratum1+tcp://" + pool.StratumAddr(), pool.NewJob},
	} {
		t.Run(tc.name, func(t *testing.T) {
			worker := "w-" + tc.name
			m := &miner.Miner{Pool: tc.url, Worker: worker, Threads: 2, Hasher: hasher, Logger: quietLogger(),
				HashrateInterval: 100 * time.Millisecond, PollInterval: 20 * time.Millisecond}
			stop := run(t, m)
			accepted := func(n int) func() bool {
				return func() bool { a, _ := pool.Shares(worker); return a >= n }
			}
			await.True(t, 3*time.Minute, "3 accepted shares", accepted(3))
			jobs := m.Stats().Jobs
			tc.switchJob()
			await.True(t, 10*time.Second, "the new job", func() bool { return m.Stats().Jobs > jobs })
			a, _ := pool.Shares(worker)
			await.True(t, 30*time.Second, "3 more accepted shares", accepted(a+3))
			await.True(t, 10*time.Second, "a reported hashrate", func() bool { return pool.Reported(worker) > 0 })
			stop()

			s := m.Stats()
			a, r := pool.Shares(worker)
			if r != 0 || s.Rejected != 0 {
				t.Errorf("pool rejected %d shares, miner counted %d rejected; want none", r, s.Rejected)
			}
			// A share in flight when the miner stopped may count at the
			// pool only.
			if s.Accepted > uint64(a) || uint64(a) > s.Found || a < 6 {
				t.Errorf("miner counted %d found, %d accepted; the pool accepted %d", s.Found, s.Accepted, a)
			}
			// About one hash in shareDifficulty is a share.
			if s.Hashes < s.Found {
				t.Errorf("%d hashes for %d shares", s.Hashes, s.Found)
			}
		})
	}
}

// liar claims a solution (result 0) for one nonce in every 50, after
// pretending to hash for a millisecond each.
type liar struct{ calls atomic.Uint64 }

func (l *liar) Hash(height uint64, header [32]byte, nonce uint64) (mix, result [32]byte) {
	time.Sleep(time.Millisecond)
	if l.calls.Add(1)%50 != 0 {
		result[0] = 0xff
	}
	return mix, result
}

// TestAgainstCoreGeth mines straight at core-geth's getWork: the miner
// reports its hashrate (the node's ethash_getHashrate shows it) and core-geth
// rejects the wrong solutions it submits. (A real block takes too long
// with light hashing at difficulty 131072; the pow_long test mines one
// with the DAG.)
func TestAgainstCoreGeth(t *testing.T) {
	node := powtest.Start(t, powtest.Options{})
	m := &miner.Miner{Pool: node.URL() + "/", Worker: "direct", Threads: 1, Hasher: &liar{}, Logger: quietLogger(),
		HashrateInterval: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond}
	stop := run(t, m)
	await.True(t, 20*time.Second, "2 rejected solutions", func() bool { return m.Stats().Rejected >= 2 })
	await.True(t, 20*time.Second, "core-geth to see the reported hashrate", func() bool {
		// eth_hashrate shows only the node's own mining; this is the sum
		// of what getWork miners reported.
		var rate uint64
		err := node.RPC().CallContext(context.Background(), &rate, "ethash_getHashrate")
		return err == nil && rate > 0
	})
	stop()
	s := m.Stats()
	if s.Accepted != 0 || s.Jobs == 0 {
		t.Errorf("stats %+v: want jobs and no accepted share", s)
	}
	if head, err := node.Head(context.Background()); err != nil || head != 0 {
		t.Errorf("head = %d, %v; want 0", head, err)
	}
}
