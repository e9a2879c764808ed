package snapshot

import (
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/devnet"
)

// TestGethHead reads the head of a devnet node after a clean stop.
func TestGethHead(t *testing.T) {
	d := devnet.New(devnet.Config{DataDir: t.TempDir(), BlockTime: 100 * time.Millisecond, NoLogIndex: true})
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	n := d.Producer()
	await.True(t, 30*time.Second, "5 blocks", func() bool { return n.Head() >= 5 })
	dir := n.DataDir()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	head, err := GethHead(dir)
	if err != nil {
		t.Fatal(err)
	}
	if head.Number < 5 || len(head.Hash) != 66 {
		t.Errorf("head %+v", head)
	}
	if _, err := GethHead(t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no go-ethereum database") {
		t.Errorf("a directory without a chain: %v", err)
	}
}
