package gateway

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// blockParam is the position of the block parameter of the methods that
// take one.
var blockParam = map[string]int{
	"eth_getBlockByNumber":                    0,
	"eth_getBlockTransactionCountByNumber":    0,
	"eth_getUncleCountByBlockNumber":          0,
	"eth_getTransactionByBlockNumberAndIndex": 0,
	"eth_getUncleByBlockNumberAndIndex":       0,
	"eth_getBlockReceipts":                    0,
	"eth_getBalance":                          1,
	"eth_getCode":                             1,
	"eth_getTransactionCount":                 1,
	"eth_call":                                1,
	"eth_estimateGas":                         1,
	"eth_createAccessList":                    1,
	"eth_feeHistory":                          1,
	"eth_getStorageAt":                        2,
	"eth_getProof":                            2,
}

// blockNeeded returns the block a call names by number, which an upstream
// must have reached to answer it: the block parameter as a number or as
// EIP-1898's {"blockNumber": ...}, or eth_getLogs' toBlock. Tags (latest,
// safe, finalized, ...) and hashes name no number.
func blockNeeded(req *request) (uint64, bool) {
	var params []json.RawMessage
	if json.Unmarshal(req.Params, &params) != nil {
		return 0, false
	}
	if req.Method == "eth_getLogs" {
		if len(params) == 0 {
			return 0, false
		}
		var filter struct {
			ToBlock json.RawMessage `json:"toBlock"`
		}
		if json.Unmarshal(params[0], &filter) != nil {
			return 0, false
		}
		return blockNumber(filter.ToBlock)
	}
	pos, ok := blockParam[req.Method]
	if !ok || pos >= len(params) {
		return 0, false
	}
	if n, ok := blockNumber(params[pos]); ok {
		return n, true
	}
	var byNumber struct {
		BlockNumber json.RawMessage `json:"blockNumber"`
	}
	if json.Unmarshal(params[pos], &byNumber) != nil {
		return 0, false
	}
	return blockNumber(byNumber.BlockNumber)
}

// blockNumber reads a hex quantity such as "0x1b4".
func blockNumber(raw json.RawMessage) (uint64, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil || !strings.HasPrefix(s, "0x") {
		return 0, false
	}
	n, err := strconv.ParseUint(s[2:], 16, 64)
	return n, err == nil
}

// watermark is the highest block number the gateway has answered
// eth_blockNumber with; it never answers lower.
type watermark struct{ n atomic.Uint64 }

// raise records n and returns the number to answer with: n, or the
// watermark if n is below it.
func (w *watermark) raise(n uint64) uint64 {
	for {
		cur := w.n.Load()
		if n <= cur {
			return cur
		}
		if w.n.CompareAndSwap(cur, n) {
			return n
		}
	}
}

// keepMonotonic makes every eth_blockNumber answer at least the highest
// the gateway has given before.
func (s *Server) keepMonotonic(calls []call) {
	for i := range calls {
		c := &calls[i]
		if c.req.Method != "eth_blockNumber" || c.answer == nil || c.answer.Error != nil {
			continue
		}
		if n, ok := blockNumber(c.answer.Result); ok {
			c.answer.Result = json.RawMessage(`"` + hexutil.EncodeUint64(s.served.raise(n)) + `"`)
		}
	}
}
