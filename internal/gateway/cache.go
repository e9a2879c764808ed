package gateway

import (
	"bytes"
	"encoding/json"

	"github.com/ethereum/go-ethereum/common/lru"
)

// The cache keeps only answers that cannot change: constants of the chain,
// data named by block hash, and data at blocks at or below the fleet's
// finalized block. Nothing asked by tag (latest, pending, safe, finalized)
// is kept, nor an error, nor a null (what is missing now may come later).
type cache struct {
	entries *lru.SizeConstrainedCache[string, []byte]
}

func newCache(maxBytes int64) *cache {
	if maxBytes <= 0 {
		return nil
	}
	return &cache{entries: lru.NewSizeConstrainedCache[string, []byte](uint64(maxBytes))}
}

// constantMethods answer the same for the life of a chain.
var constantMethods = map[string]bool{"eth_chainId": true, "net_version": true}

// byHashMethods name their block by hash: their answers never change.
var byHashMethods = map[string]bool{
	"eth_getBlockByHash":                    true,
	"eth_getHeaderByHash":                   true,
	"eth_getBlockTransactionCountByHash":    true,
	"eth_getTransactionByBlockHashAndIndex": true,
	"eth_getUncleCountByBlockHash":          true,
	"eth_getUncleByBlockHashAndIndex":       true,
}

// byTxHashMethods are kept once the transaction's block is finalized.
var byTxHashMethods = map[string]bool{"eth_getTransactionByHash": true, "eth_getTransactionReceipt": true, "eth_getRawTransactionByHash": true}

// cacheKey returns the key of req if its answer may be kept, given the
// fleet's finalized block: constants, reads by block hash, reads of a
// block number at or below finalized (including eth_getLogs ranges), and
// transaction lookups, which are kept only if their block turns out final.
func cacheKey(req *request, finalized uint64) (string, bool) {
	var ok bool
	switch {
	case constantMethods[req.Method], byHashMethods[req.Method], byTxHashMethods[req.Method]:
		ok = true
	case req.Method == "eth_getLogs":
		from, to, known := logsRange(req)
		ok = known && from <= to && to <= finalized
	default:
		n, known := blockNeeded(req)
		ok = known && finalized > 0 && n <= finalized
	}
	if !ok {
		return "", false
	}
	return callKey(req), true
}

// logsRange reads an eth_getLogs filter's numeric range.
func logsRange(req *request) (from, to uint64, ok bool) {
	var params []struct {
		FromBlock json.RawMessage `json:"fromBlock"`
		ToBlock   json.RawMessage `json:"toBlock"`
	}
	if json.Unmarshal(req.Params, &params) != nil || len(params) != 1 {
		return 0, 0, false
	}
	from, okFrom := blockNumber(params[0].FromBlock)
	to, okTo := blockNumber(params[0].ToBlock)
	return from, to, okFrom && okTo
}

// callKey identifies a call by method and params, whatever its id and
// however its params are spaced.
func callKey(req *request) string {
	return req.Method + "\x00" + string(compactJSON(req.Params))
}

// keepable reports whether answer, to req, may be kept.
func keepable(req *request, answer *response, finalized uint64) bool {
	result := answer.Result
	if answer.Error != nil || len(result) == 0 || bytes.Equal(result, nullID) {
		return false
	}
	if !byTxHashMethods[req.Method] {
		return true
	}
	var located struct {
		BlockNumber json.RawMessage `json:"blockNumber"`
	}
	if json.Unmarshal(result, &located) != nil {
		return false
	}
	n, ok := blockNumber(located.BlockNumber)
	return ok && finalized > 0 && n <= finalized
}

func compactJSON(raw json.RawMessage) []byte {
	if bytes.IndexAny(raw, " \t\r\n") < 0 {
		return raw // nothing to take out: params as most clients send them
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}
