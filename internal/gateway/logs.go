package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// recentLogBlocks is how many blocks' logs the feed remembers, to send
// them again as removed if a reorg replaces those blocks.
const recentLogBlocks = 64

// logFilter is an eth_subscribe("logs", filter) filter: addresses, and per
// topic position the topics allowed there (none: any).
type logFilter struct {
	addresses []common.Address
	topics    [][]common.Hash
}

// parseLogFilter reads the filter object of a logs subscription.
func parseLogFilter(raw json.RawMessage) (logFilter, error) {
	var f logFilter
	if len(raw) == 0 {
		return f, nil
	}
	var obj struct {
		Address json.RawMessage   `json:"address"`
		Topics  []json.RawMessage `json:"topics"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return f, errors.New("the logs filter must be an object with address and topics")
	}
	var err error
	if f.addresses, err = oneOrMany[common.Address](obj.Address); err != nil {
		return f, fmt.Errorf("address: %w", err)
	}
	for i, t := range obj.Topics {
		hashes, err := oneOrMany[common.Hash](t)
		if err != nil {
			return f, fmt.Errorf("topics[%d]: %w", i, err)
		}
		f.topics = append(f.topics, hashes)
	}
	return f, nil
}

// oneOrMany reads null, one value, or an array of values.
func oneOrMany[T any](raw json.RawMessage) ([]T, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one T
	if json.Unmarshal(raw, &one) == nil {
		return []T{one}, nil
	}
	var many []T
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("want a value, an array of values, or null")
	}
	return many, nil
}

// matches applies geth's rules: the address is one of the addresses (if
// any), and each topic position with topics holds one of them.
func (f logFilter) matches(l *types.Log) bool {
	if len(f.addresses) > 0 && !slices.Contains(f.addresses, l.Address) {
		return false
	}
	if len(f.topics) > len(l.Topics) {
		return false
	}
	for i, allowed := range f.topics {
		if len(allowed) > 0 && !slices.Contains(allowed, l.Topics[i]) {
			return false
		}
	}
	return true
}

// logSub is one logs subscription.
type logSub struct {
	filter  logFilter
	deliver sink
	slow    func()
}

// blockLogs are the logs the feed sent for one block.
type blockLogs struct {
	number uint64
	logs   []*types.Log
}

// subscribeLogs adds a logs subscription; see subscribe.
func (f *headFeed) subscribeLogs(filter logFilter, deliver sink, slow func()) (unsubscribe func()) {
	s := &logSub{filter: filter, deliver: deliver, slow: slow}
	f.mu.Lock()
	f.logSubs[s] = struct{}{}
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		delete(f.logSubs, s)
		f.mu.Unlock()
	}
}

// fetchLogs fetches the logs of block (number, hash) for the logs
// subscribers; with none, it fetches nothing.
func (f *headFeed) fetchLogs(ctx context.Context, number uint64, hash common.Hash) ([]*types.Log, error) {
	f.mu.Lock()
	wanted := len(f.logSubs) > 0
	f.mu.Unlock()
	if !wanted {
		return nil, nil
	}
	return f.blockLogs(ctx, number, hash)
}

// publishLogs sends logs, those of block number, to the logs subscribers,
// after sending as removed the logs of every remembered block it replaces.
func (f *headFeed) publishLogs(number uint64, logs []*types.Log) {
	cut := len(f.recentLogs)
	for cut > 0 && f.recentLogs[cut-1].number >= number {
		cut--
	}
	// Removed in geth's order: oldest block first, each block's logs in
	// order (core/blockchain.go's reorg).
	var replaced []*types.Log
	for _, b := range f.recentLogs[cut:] {
		for _, l := range b.logs {
			removed := *l
			removed.Removed = true
			replaced = append(replaced, &removed)
		}
	}
	f.recentLogs = append(f.recentLogs[:cut], blockLogs{number: number, logs: logs})
	if len(f.recentLogs) > recentLogBlocks {
		f.recentLogs = f.recentLogs[1:]
	}
	f.deliverLogs(append(replaced, logs...))
}

// blockLogs fetches the logs of the block (number, hash) from a fit
// upstream that indexes logs.
func (f *headFeed) blockLogs(ctx context.Context, number uint64, hash common.Hash) ([]*types.Log, error) {
	req := &request{Method: "eth_getLogs", Params: json.RawMessage(fmt.Sprintf(`[{"blockHash":%q}]`, hash.Hex()))}
	for _, u := range f.router.candidatesFor([]need{{newest: number, oldest: number, keeps: true, data: logData}}) {
		results, errs, err := u.send(ctx, []*request{req})
		if err != nil || errs[0] != nil {
			continue
		}
		var logs []*types.Log
		if err := json.Unmarshal(results[0], &logs); err != nil {
			continue
		}
		return logs, nil
	}
	return nil, errNoHeader
}

// deliverLogs hands each log to the subscribers whose filter matches it,
// dropping subscribers that have no room.
func (f *headFeed) deliverLogs(logs []*types.Log) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range logs {
		b, err := json.Marshal(l)
		if err != nil {
			continue
		}
		for s := range f.logSubs {
			if !s.filter.matches(l) {
				continue
			}
			if !s.deliver(b) {
				delete(f.logSubs, s)
				go s.slow()
			}
		}
	}
}
