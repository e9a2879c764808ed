package probe

import (
	"encoding/json"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// History is what a node keeps of the past, as it reports with
// eth_capabilities (execution-apis #755, served by go-ethereum since
// v1.17): for each kind of data, the oldest block it can answer for.
// A pruned node keeps state for its newest 128 blocks; an archive node
// keeps all of it.
type History struct {
	// Known is false when the node does not answer eth_capabilities; the
	// router then assumes it keeps everything and relies on retries.
	Known       bool      `json:"known"`
	State       Retention `json:"state"`
	StateProofs Retention `json:"stateProofs"`
	Blocks      Retention `json:"blocks"`
	Receipts    Retention `json:"receipts"`
	Logs        Retention `json:"logs"`
	Tx          Retention `json:"tx"`
}

// Retention is how far back a node serves one kind of data.
type Retention struct {
	// Disabled means the node does not serve it at all (a log index
	// turned off, say).
	Disabled bool `json:"disabled,omitempty"`
	// Oldest is the oldest block served when the node reported.
	Oldest uint64 `json:"oldest"`
	// Window, if not 0, is how many of the newest blocks are kept: the
	// oldest block moves up with the head.
	Window uint64 `json:"window,omitempty"`
}

// Serves reports whether the data of block n is there while the node's
// head is head.
func (r Retention) Serves(n, head uint64) bool {
	if r.Disabled {
		return false
	}
	oldest := r.Oldest
	if r.Window > 0 && head+1 > r.Window {
		oldest = max(oldest, head+1-r.Window)
	}
	return n >= oldest
}

// capabilitiesJSON is eth_capabilities' answer.
type capabilitiesJSON struct {
	State       resourceJSON `json:"state"`
	StateProofs resourceJSON `json:"stateproofs"`
	Blocks      resourceJSON `json:"blocks"`
	Receipts    resourceJSON `json:"receipts"`
	Logs        resourceJSON `json:"logs"`
	Tx          resourceJSON `json:"tx"`
}

type resourceJSON struct {
	Disabled       bool            `json:"disabled"`
	OldestBlock    *hexutil.Uint64 `json:"oldestBlock"`
	DeleteStrategy *struct {
		Type            string          `json:"type"`
		RetentionBlocks *hexutil.Uint64 `json:"retentionBlocks"`
	} `json:"deleteStrategy"`
}

func (r resourceJSON) retention() Retention {
	ret := Retention{Disabled: r.Disabled}
	if r.OldestBlock != nil {
		ret.Oldest = uint64(*r.OldestBlock)
	}
	if s := r.DeleteStrategy; s != nil && s.Type == "window" && s.RetentionBlocks != nil {
		ret.Window = uint64(*s.RetentionBlocks)
	}
	return ret
}

// parseCapabilities reads eth_capabilities' answer.
func parseCapabilities(raw json.RawMessage) (History, error) {
	var c capabilitiesJSON
	if err := json.Unmarshal(raw, &c); err != nil {
		return History{}, err
	}
	return History{
		Known:       true,
		State:       c.State.retention(),
		StateProofs: c.StateProofs.retention(),
		Blocks:      c.Blocks.retention(),
		Receipts:    c.Receipts.retention(),
		Logs:        c.Logs.retention(),
		Tx:          c.Tx.retention(),
	}, nil
}
