package probe

import (
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/devnet"
)

// TestPushedHeads watches a real go-ethereum node: heads arrive over the
// newHeads subscription, while status polls stay at one per interval.
func TestPushedHeads(t *testing.T) {
	d := devnet.New(devnet.Config{DataDir: t.TempDir(), BlockTime: 500 * time.Millisecond})
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	n := d.Producer()
	p := runProbe(t, Config{Name: n.Name(), RPC: n.HTTPURL(), WS: n.WSURL(), Interval: time.Hour})

	first := await(t, p, "a pushed head", func(s Status) bool { return s.Up && s.Pushed && s.Head.Number > 0 })
	// With an hour between polls, only pushes can move the head on.
	s := await(t, p, "five more pushed heads", func(s Status) bool { return s.Head.Number >= first.Head.Number+5 })
	if s.Head.Hash == first.Head.Hash || s.ClientVersion == "" || s.ChainID != 1337 {
		t.Errorf("status = %+v", s)
	}
	// A full (not archive) node keeps state for its newest 128 blocks,
	// every block and receipt, and indexes logs and transactions of its
	// newest 2,350,000 blocks (go-ethereum's defaults).
	want := History{Known: true, State: Retention{Window: 128}, StateProofs: Retention{Window: 128},
		Logs: Retention{Window: 2_350_000}, Tx: Retention{Window: 2_350_000}}
	if s.History != want {
		t.Errorf("history = %+v, want %+v", s.History, want)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	await(t, p, "down after the node stopped", func(s Status) bool { return !s.Up })
}
