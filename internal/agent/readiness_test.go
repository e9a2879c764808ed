package agent

import (
	"reflect"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/probe"
)

func TestJudge(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	node := func(head uint64, age time.Duration) probe.Status {
		return probe.Status{Name: "geth-1", Up: true, Peers: 5, HeadSeen: now,
			Head: probe.Head{Number: head, Time: now.Add(-age)}}
	}
	ref := func(name string, head uint64, age time.Duration) probe.Status {
		s := node(head, age)
		s.Name = name
		return s
	}
	good := node(100, 12*time.Second)
	syncing := good
	syncing.Syncing, syncing.SyncTarget = true, 20_000_000
	importing := good // eth_syncing for a moment while it imports the next block
	importing.Syncing, importing.SyncTarget = true, 101
	justBehind := good
	justBehind.Syncing, justBehind.SyncTarget = true, 104
	stale := node(100, 2*time.Hour) // eth_syncing false, yet far behind
	lonely := good
	lonely.Peers = 1
	down := probe.Status{Name: "geth-1", Err: "connection refused"}
	unreachableRef := probe.Status{Name: "infura", Err: "context deadline exceeded"}
	rules := Rules{MaxLag: 3, MaxHeadAge: time.Minute, MinPeers: 3}

	tests := []struct {
		name      string
		in        Input
		ready     bool
		reasons   []string
		lagBlocks []int64
	}{
		{"all good", Input{Node: good, FleetHead: 101, References: []probe.Status{ref("infura", 101, 0)},
			Consensus: &ConsensusStatus{HeadSlot: 9}}, true, nil, []int64{1}},
		{"syncing", Input{Node: syncing}, false, []string{"syncing: block 100 of 20000000"}, nil},
		{"importing the next block", Input{Node: importing, FleetHead: 101}, true, nil, nil},
		{"syncing beyond the lag allowed", Input{Node: justBehind}, false, []string{"syncing: block 100 of 104"}, nil},
		{"not syncing but stale head timestamp", Input{Node: stale}, false, []string{"head 100 is 2h0m0s old (at most 1m0s)"}, nil},
		{"behind the fleet", Input{Node: good, FleetHead: 110}, false, []string{"10 blocks behind the fleet's head 110"}, nil},
		{"behind a reference", Input{Node: good, FleetHead: 100, References: []probe.Status{ref("infura", 120, 0), ref("alchemy", 99, 0)}},
			false, []string{"20 blocks behind reference infura"}, []int64{20, -1}},
		{"unreachable reference is reported, not held against the node", Input{Node: good, References: []probe.Status{unreachableRef}},
			true, nil, []int64{0}},
		{"too few peers", Input{Node: lonely}, false, []string{"1 peers, fewer than 3"}, nil},
		{"consensus client optimistic", Input{Node: good, Consensus: &ConsensusStatus{Optimistic: true}},
			false, []string{"consensus client optimistic: its head is not yet verified by the execution client"}, nil},
		{"consensus client syncing", Input{Node: good, Consensus: &ConsensusStatus{Syncing: true, SyncDistance: 64}},
			false, []string{"consensus client syncing: 64 slots behind"}, nil},
		{"consensus client unreachable", Input{Node: good, Consensus: &ConsensusStatus{Err: "connection refused"}},
			false, []string{"consensus client unreachable: connection refused"}, nil},
		{"execution client down", Input{Node: down}, false, []string{"execution client unreachable: connection refused"}, nil},
		{"several reasons at once", Input{Node: func() probe.Status { s := stale; s.Peers = 0; return s }(), FleetHead: 200},
			false, []string{"head 100 is 2h0m0s old (at most 1m0s)", "100 blocks behind the fleet's head 200", "0 peers, fewer than 3"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Now = now
			v := Judge(tt.in, rules)
			if v.Ready != tt.ready || !reflect.DeepEqual(v.Reasons, tt.reasons) {
				t.Errorf("ready %v, reasons %q; want %v, %q", v.Ready, v.Reasons, tt.ready, tt.reasons)
			}
			var lags []int64
			for _, l := range v.Lags {
				lags = append(lags, l.Blocks)
			}
			if !reflect.DeepEqual(lags, tt.lagBlocks) {
				t.Errorf("lags %v, want %v", lags, tt.lagBlocks)
			}
		})
	}
}
