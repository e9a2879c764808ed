package fleet_test

import (
	"context"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// TestSnapshotterAndNewFollower takes a snapshot of a follower while
// clients read through the gateway (none fails: the follower leaves
// rotation before it stops), then starts the fleet again with one more
// follower, which restores the snapshot before it starts and catches up.
func TestSnapshotterAndNewFollower(t *testing.T) {
	dir := t.TempDir()
	manual := func(c *config.Config) { never := time.Duration(0); c.Devnet.Snapshots.Every = &never }
	f := fleettest.Start(t, fleettest.Options{Followers: 1, DataDir: dir, Configure: manual})
	await.True(t, 60*time.Second, "a few blocks", func() bool { return f.View().Head >= 5 })

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var ok, failed atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := http.Post(f.GatewayURL(), "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}`))
				if err != nil {
					failed.Add(1)
					continue
				}
				var body [512]byte
				n, _ := resp.Body.Read(body[:])
				resp.Body.Close()
				if resp.StatusCode != 200 || strings.Contains(string(body[:n]), `"error"`) {
					failed.Add(1)
					continue
				}
				ok.Add(1)
			}
		}()
	}
	m, err := f.TakeSnapshot(context.Background())
	stop()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if failed.Load() != 0 || ok.Load() == 0 {
		t.Errorf("%d requests failed and %d succeeded while the follower was snapshotted", failed.Load(), ok.Load())
	}
	if m.Head.Number == 0 || m.Totals.Files == 0 {
		t.Errorf("manifest %+v", m)
	}
	await.True(t, 60*time.Second, "the snapshotted follower fit again", func() bool { return f.View().Fit == 2 })
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	f2 := fleettest.Start(t, fleettest.Options{Followers: 2, DataDir: dir, Configure: manual})
	// Restored files keep the times they had in the snapshot.
	restored := false
	filepath.WalkDir(filepath.Join(dir, "follower-2", "geth", "chaindata"), func(path string, d fs.DirEntry, err error) error {
		if info, err := d.Info(); err == nil && !d.IsDir() && info.ModTime().Before(start) {
			restored = true
		}
		return nil
	})
	if !restored {
		t.Error("follower-2 did not start from the snapshot")
	}
	head := f2.View().Head
	await.True(t, 60*time.Second, "follower-2 to catch up and follow", func() bool {
		return f2.Devnet().Nodes()[2].Head() > head
	})
}
