package agent

import (
	"fmt"
	"time"

	"github.com/ethfleet/ethfleet/internal/probe"
)

// Rules say what ready means.
type Rules struct {
	// MaxLag is how many blocks the node may trail the fleet's head or a
	// reference's.
	MaxLag uint64
	// MaxHeadAge is how old the node's head block may be by its own
	// timestamp. go-ethereum can report eth_syncing false while far
	// behind, after snap sync; the head's age tells.
	MaxHeadAge time.Duration
	// MinPeers is the fewest devp2p peers a ready node has.
	MinPeers uint64
}

// Input is what one judgment looks at.
type Input struct {
	Node probe.Status
	// FleetHead is the head the fleet agrees on; 0 when unknown.
	FleetHead uint64
	// References are the outside providers' latest statuses.
	References []probe.Status
	// Consensus is the consensus client's sync status, if the node has one
	// configured.
	Consensus *ConsensusStatus
	Now       time.Time
}

// Verdict is a judgment of one node.
type Verdict struct {
	Ready bool `json:"ready"`
	// Reasons say why the node is not ready, most fundamental first.
	Reasons []string `json:"reasons,omitempty"`
	// FleetLag is how many blocks the node trails the fleet's head.
	FleetLag int64 `json:"fleetLag"`
	// Lags are the node's lag behind each reference.
	Lags []Lag `json:"lags"`
}

// Judge decides whether the node is ready and says why not. A reference
// that cannot be reached is reported, never held against the node.
func Judge(in Input, r Rules) Verdict {
	var v Verdict
	n := in.Node
	not := func(format string, args ...any) { v.Reasons = append(v.Reasons, fmt.Sprintf(format, args...)) }
	if !n.Up {
		not("execution client unreachable: %s", n.Err)
	}
	// A follower driven by forkchoice updates reports eth_syncing for a
	// moment at every block while it imports it; syncing towards a block
	// within MaxLag of its head is that, not a node out of sync (the
	// gateway's fitness reads it the same way).
	importing := n.SyncTarget > 0 && n.SyncTarget <= n.Head.Number+r.MaxLag
	if n.Up && n.Syncing && !importing {
		if n.SyncTarget > 0 {
			not("syncing: block %d of %d", n.Head.Number, n.SyncTarget)
		} else {
			not("syncing")
		}
	}
	if n.Up && !n.Head.Time.IsZero() {
		if age := in.Now.Sub(n.Head.Time); age > r.MaxHeadAge {
			not("head %d is %s old (at most %s)", n.Head.Number, age.Round(time.Second), r.MaxHeadAge)
		}
	}
	if in.FleetHead > 0 {
		v.FleetLag = int64(in.FleetHead) - int64(n.Head.Number)
		if v.FleetLag > int64(r.MaxLag) {
			not("%d blocks behind the fleet's head %d", v.FleetLag, in.FleetHead)
		}
	}
	for _, ref := range in.References {
		lag := lagBehind(n, ref)
		v.Lags = append(v.Lags, lag)
		if lag.Reachable && lag.Blocks > int64(r.MaxLag) {
			not("%d blocks behind reference %s", lag.Blocks, ref.Name)
		}
	}
	if n.Up && n.Peers < r.MinPeers {
		not("%d peers, fewer than %d", n.Peers, r.MinPeers)
	}
	if c := in.Consensus; c != nil {
		switch {
		case c.Err != "":
			not("consensus client unreachable: %s", c.Err)
		case c.ELOffline:
			not("consensus client cannot reach the execution client")
		case c.Syncing:
			not("consensus client syncing: %d slots behind", c.SyncDistance)
		case c.Optimistic:
			not("consensus client optimistic: its head is not yet verified by the execution client")
		}
	}
	v.Ready = len(v.Reasons) == 0
	return v
}

// Lag is how far a node trails one reference.
type Lag struct {
	Reference string `json:"reference"`
	// Reachable is false when the reference does not answer; Err says why.
	Reachable bool   `json:"reachable"`
	Err       string `json:"error,omitempty"`
	// Blocks is the reference's head minus the node's: negative when the
	// node is ahead.
	Blocks int64 `json:"blocks"`
	// Seconds is the reference's head timestamp minus the node's.
	Seconds float64 `json:"seconds"`
}

func lagBehind(node, ref probe.Status) Lag {
	l := Lag{Reference: ref.Name, Reachable: ref.Up && !ref.HeadSeen.IsZero(), Err: ref.Err}
	if !l.Reachable {
		if l.Err == "" {
			l.Err = "no head seen yet"
		}
		return l
	}
	l.Blocks = int64(ref.Head.Number) - int64(node.Head.Number)
	if !ref.Head.Time.IsZero() && !node.Head.Time.IsZero() {
		l.Seconds = ref.Head.Time.Sub(node.Head.Time).Seconds()
	}
	return l
}
