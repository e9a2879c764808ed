package gateway

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// resource is a kind of data a node may keep only for its newest blocks,
// as eth_capabilities names them.
type resource uint8

const (
	blockData resource = iota
	stateData
	proofData
	receiptData
	logData
)

// blockArg says where a method names its block, and what of that block it
// reads.
type blockArg struct {
	pos  int
	data resource
}

// blockArgs are the methods that name a block: by number or tag, by hash,
// or by either (EIP-1898's {"blockNumber": ...} / {"blockHash": ...}).
var blockArgs = map[string]blockArg{
	"eth_getBlockByNumber":                    {0, blockData},
	"eth_getBlockByHash":                      {0, blockData},
	"eth_getHeaderByNumber":                   {0, blockData}, // go-ethereum's own
	"eth_getHeaderByHash":                     {0, blockData},
	"eth_getBlockTransactionCountByNumber":    {0, blockData},
	"eth_getBlockTransactionCountByHash":      {0, blockData},
	"eth_getUncleCountByBlockNumber":          {0, blockData},
	"eth_getUncleCountByBlockHash":            {0, blockData},
	"eth_getTransactionByBlockNumberAndIndex": {0, blockData},
	"eth_getTransactionByBlockHashAndIndex":   {0, blockData},
	"eth_getUncleByBlockNumberAndIndex":       {0, blockData},
	"eth_getUncleByBlockHashAndIndex":         {0, blockData},
	"eth_getBlockReceipts":                    {0, receiptData},
	"eth_feeHistory":                          {1, blockData},
	"eth_getBalance":                          {1, stateData},
	"eth_getCode":                             {1, stateData},
	"eth_getTransactionCount":                 {1, stateData},
	"eth_call":                                {1, stateData},
	"eth_estimateGas":                         {1, stateData},
	"eth_createAccessList":                    {1, stateData},
	"eth_getStorageAt":                        {2, stateData},
	"eth_getProof":                            {2, proofData},
}

// need is what an upstream must have to answer a call that names blocks.
type need struct {
	// newest is the highest block named by number: the upstream's head
	// must have reached it.
	newest uint64
	// oldest is the lowest block named by number, whose data the
	// upstream must still keep, if keeps.
	oldest uint64
	keeps  bool
	data   resource
	// hash is a block named by hash instead; the gateway may know its
	// number from the blocks it has seen.
	hash common.Hash
}

// needOf returns what a call asks of an upstream, if it names a block by
// number or hash. Tags (latest, safe, finalized, ...) name no number: any
// fit upstream has them.
func needOf(req *request) (need, bool) {
	if req.Method == "eth_getLogs" {
		params, err := splitArray(req.Params) // valid JSON: the body was checked
		if err != nil {
			return need{}, false
		}
		return logsNeed(params)
	}
	arg, ok := blockArgs[req.Method]
	if !ok {
		return need{}, false
	}
	raw, ok := arrayElem(req.Params, arg.pos)
	if !ok {
		return need{}, false
	}
	n := need{data: arg.data}
	if raw[0] == '{' {
		number, hash, ok := eip1898(raw)
		if ok && hash != nil {
			return byHash(n, hash)
		}
		raw = number
	}
	if number, ok := blockNumber(raw); ok {
		n.newest, n.oldest, n.keeps = number, number, true
		return n, true
	}
	return byHash(n, raw)
}

// eip1898 reads a block named as EIP-1898 does: {"blockNumber": ...} or
// {"blockHash": ...}.
func eip1898(raw json.RawMessage) (number, hash json.RawMessage, ok bool) {
	var byEither struct {
		BlockNumber json.RawMessage `json:"blockNumber"`
		BlockHash   json.RawMessage `json:"blockHash"`
	}
	if json.Unmarshal(raw, &byEither) != nil {
		return nil, nil, false
	}
	return byEither.BlockNumber, byEither.BlockHash, true
}

// byHash completes n with a block hash, if raw is one.
func byHash(n need, raw json.RawMessage) (need, bool) {
	hash, ok := blockHash(raw)
	if !ok {
		return need{}, false
	}
	n.hash, n.keeps = hash, false
	return n, true
}

// logsNeed reads an eth_getLogs filter: a range of numbers, of which
// either end may be a tag, or one block by hash.
func logsNeed(params []json.RawMessage) (need, bool) {
	if len(params) == 0 {
		return need{}, false
	}
	var filter struct {
		FromBlock json.RawMessage `json:"fromBlock"`
		ToBlock   json.RawMessage `json:"toBlock"`
		BlockHash json.RawMessage `json:"blockHash"`
	}
	if json.Unmarshal(params[0], &filter) != nil {
		return need{}, false
	}
	n := need{data: logData, keeps: true}
	if filter.BlockHash != nil {
		return byHash(n, filter.BlockHash)
	}
	from, okFrom := blockNumber(filter.FromBlock)
	to, okTo := blockNumber(filter.ToBlock)
	if string(filter.FromBlock) == `"earliest"` {
		from, okFrom = 0, true
	}
	switch {
	case okFrom && okTo:
		n.oldest, n.newest = from, to
	case okTo:
		n.oldest, n.newest = to, to // from a tag: latest at most, or earlier
	case okFrom:
		// To a tag: an upstream whose head has reached from. geth refuses
		// a range whose start is past its head.
		n.oldest, n.newest = from, from
	default:
		return need{}, false
	}
	return n, true
}

// blockNeeded returns the highest block a call names by number.
func blockNeeded(req *request) (uint64, bool) {
	n, ok := needOf(req)
	if !ok || !n.keeps || n.hash != (common.Hash{}) {
		return 0, false
	}
	return n.newest, true
}

// blockHash reads a 32-byte hex hash.
func blockHash(raw json.RawMessage) (common.Hash, bool) {
	s, ok := jsonString(raw)
	if !ok || len(s) != 2+2*common.HashLength || !strings.HasPrefix(s, "0x") {
		return common.Hash{}, false
	}
	b, err := hexutil.Decode(s)
	if err != nil {
		return common.Hash{}, false
	}
	return common.BytesToHash(b), true
}

// blockNumber reads a hex quantity such as "0x1b4".
func blockNumber(raw json.RawMessage) (uint64, bool) {
	s, ok := jsonString(raw)
	if !ok || !strings.HasPrefix(s, "0x") {
		return 0, false
	}
	n, err := strconv.ParseUint(s[2:], 16, 64)
	return n, err == nil
}

// jsonString decodes a JSON string. Quantities and hashes have no escapes:
// their text is read in place, and encoding/json decodes the rest.
func jsonString(raw json.RawMessage) (string, bool) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && plainName(raw[1:n-1]) {
		return string(raw[1 : n-1]), true
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
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
