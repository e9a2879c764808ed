package probe

import (
	"encoding/json"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Head is a block as the probe saw it announced.
type Head struct {
	Number uint64      `json:"number"`
	Hash   common.Hash `json:"hash"`
	// Time is the block's own timestamp.
	Time time.Time `json:"time"`
}

// Status is what a probe last learned about its node.
type Status struct {
	Name string `json:"name"`
	// Up is true while the node answers; Err says why it does not.
	Up  bool   `json:"up"`
	Err string `json:"error,omitempty"`
	// Head is the newest head seen, and HeadSeen when it was first seen.
	Head     Head      `json:"head"`
	HeadSeen time.Time `json:"headSeen"`
	// Finalized is the node's finalized block number, 0 where the chain
	// has no finality (proof of work) or the node does not know it yet.
	Finalized uint64 `json:"finalized"`
	// History is the oldest block the node serves, per kind of data.
	History History `json:"history"`
	// Syncing is the node's own claim (eth_syncing); SyncTarget is the
	// highest block it reported syncing towards.
	Syncing    bool   `json:"syncing"`
	SyncTarget uint64 `json:"syncTarget,omitempty"`
	Peers      uint64 `json:"peers"`
	// ChainID and ClientVersion are read once per connection.
	ChainID       uint64 `json:"chainId"`
	ClientVersion string `json:"clientVersion"`
	// Latency is the round trip of the last status poll.
	Latency Millis `json:"latencyMs"`
	// Pushed says heads arrive over a subscription rather than polling.
	Pushed  bool      `json:"pushed"`
	Updated time.Time `json:"updated"`
}

// Millis is a duration that encodes in JSON as fractional milliseconds,
// the unit people read latencies in.
type Millis time.Duration

// Duration returns m as a time.Duration.
func (m Millis) Duration() time.Duration { return time.Duration(m) }

// MarshalJSON encodes m as milliseconds.
func (m Millis) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(m) / float64(time.Millisecond))
}

// UnmarshalJSON decodes milliseconds, as MarshalJSON writes them.
func (m *Millis) UnmarshalJSON(b []byte) error {
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	*m = Millis(ms * float64(time.Millisecond))
	return nil
}
