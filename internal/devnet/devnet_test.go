package devnet

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/ethfleet/ethfleet/internal/await"
)

// testBlockTime is gentle enough for three race-instrumented nodes on two cores.
const testBlockTime = 500 * time.Millisecond

func startDevnet(t *testing.T, dir string, followers int) *Devnet {
	t.Helper()
	return startConfig(t, Config{DataDir: dir, Followers: followers, BlockTime: testBlockTime, TxPerBlock: 4})
}

func startConfig(t *testing.T, cfg Config) *Devnet {
	t.Helper()
	d := New(cfg)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

func TestFollowersTrackProducer(t *testing.T) {
	for _, noIndex := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoLogIndex=%v", noIndex), func(t *testing.T) {
			testFollowersTrackProducer(t, startConfig(t, Config{DataDir: t.TempDir(), Followers: 2, BlockTime: testBlockTime, TxPerBlock: 4, NoLogIndex: noIndex}))
		})
	}
}

func testFollowersTrackProducer(t *testing.T, d *Devnet) {
	p := d.Producer()
	await.True(t, 60*time.Second, "followers to reach the producer's head", func() bool {
		for _, f := range d.Nodes()[1:] {
			if f.Head() == 0 || f.Head()+1 < p.Head() {
				return false
			}
		}
		return true
	})
	target := p.Head() + 10
	await.True(t, 60*time.Second, "followers to follow 10 more blocks", func() bool {
		for _, f := range d.Nodes()[1:] {
			if f.Head() < target {
				return false
			}
		}
		return true
	})

	// Same chain everywhere, reached over each node's own RPC endpoint, with
	// the generator's transfers and logs in it.
	ctx := context.Background()
	var want common.Hash
	for i, n := range d.Nodes() {
		c, err := ethclient.Dial(n.WSURL())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		h, err := c.HeaderByNumber(ctx, bigInt(target))
		if err != nil {
			t.Fatalf("%s: block %d: %v", n.Name(), target, err)
		}
		if i == 0 {
			want = h.Hash()
		} else if h.Hash() != want {
			t.Errorf("%s has block %d = %s, producer has %s", n.Name(), target, h.Hash(), want)
		}
		logs, err := c.FilterLogs(ctx, ethereum.FilterQuery{ToBlock: bigInt(target), Topics: [][]common.Hash{{PingTopic}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(logs) == 0 {
			t.Errorf("%s: no Ping logs up to block %d", n.Name(), target)
		}
	}
}

func TestRestartResumesHead(t *testing.T) {
	dir := t.TempDir()
	// Without the log index: reopening it costs a constant ~0.5s per node,
	// over 30s under the race detector.
	cfg := Config{DataDir: dir, Followers: 1, BlockTime: testBlockTime, TxPerBlock: 2, NoLogIndex: true}
	d := New(cfg)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	await.True(t, 60*time.Second, "a few blocks", func() bool { return d.Producer().Head() >= 5 })
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	before := d.Producer().Head() // the head as it was flushed to disk
	d2 := startConfig(t, cfg)
	if got := d2.Producer().Head(); got < before {
		t.Fatalf("head after restart %d < head before %d", got, before)
	}
	await.True(t, 60*time.Second, "the follower to catch up after restart", func() bool {
		return d2.Nodes()[1].Head() >= before
	})
}

func TestStopNodeLeavesTheRestRunning(t *testing.T) {
	d := startDevnet(t, t.TempDir(), 2)
	if err := d.StopNode("producer"); err == nil {
		t.Error("stopping the producer alone should fail")
	}
	if err := d.StopNode("follower-1"); err != nil {
		t.Fatal(err)
	}
	h := d.Producer().Head()
	await.True(t, 60*time.Second, "follower-2 to keep following", func() bool {
		return d.Nodes()[2].Head() >= h+5
	})
}

// TestRestartFollower stops a follower and starts it again: it is back on
// the same URL, catches up, and follows; BeforeFollower was asked only for
// the follower whose directory was empty, once.
func TestRestartFollower(t *testing.T) {
	var filled []string
	d := startConfig(t, Config{DataDir: t.TempDir(), Followers: 1, BlockTime: testBlockTime, TxPerBlock: 2, NoLogIndex: true,
		BeforeFollower: func(name, dir string) error { filled = append(filled, name); return nil }})
	f := d.Nodes()[1]
	url := f.HTTPURL()
	if err := d.StopNode("follower-1"); err != nil {
		t.Fatal(err)
	}
	if err := d.RestartFollower("producer"); err == nil {
		t.Error("restarting the producer should fail")
	}
	h := d.Producer().Head()
	await.True(t, 60*time.Second, "the producer to move on", func() bool { return d.Producer().Head() >= h+3 })
	if err := d.RestartFollower("follower-1"); err != nil {
		t.Fatal(err)
	}
	f = d.Nodes()[1]
	if f.HTTPURL() != url {
		t.Errorf("restarted on %s, was %s", f.HTTPURL(), url)
	}
	target := d.Producer().Head() + 3
	await.True(t, 60*time.Second, "the restarted follower to follow", func() bool { return f.Head() >= target })
	if len(filled) != 1 || filled[0] != "follower-1" {
		t.Errorf("BeforeFollower called for %v", filled)
	}
}
