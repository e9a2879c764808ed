package pool

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// request is one JSON-RPC request from a miner. Worker is the member
// ethminer adds to EthProxy requests.
type request struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Worker string          `json:"worker"`
}

// response is a JSON-RPC 2.0 answer. ethminer takes a response that has an
// error member and a result other than false for a broken one, so a
// success carries no error member and a failure no result.
type response struct {
	ID      json.RawMessage `json:"id"`
	JSONRPC string          `json:"jsonrpc"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// notification is a message the pool sends unasked (mining.notify,
// mining.set_difficulty).
type notification struct {
	ID      *int   `json:"id"`
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

// rpcError is a JSON-RPC error with the reason in Message.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("%s (%d)", e.Message, e.Code) }

// Error codes: JSON-RPC's own, EIP-1474's "limit exceeded", and the share
// errors of stratum pools.
const (
	codeParse          = -32700
	codeInvalidRequest = -32600
	codeNoMethod       = -32601
	codeInvalidParams  = -32602
	codeLimit          = -32005
	codeOther          = 20
	codeStale          = 21
	codeDuplicate      = 22
	codeLowDifficulty  = 23
	codeUnauthorized   = 24
	codeNotSubscribed  = 25
)

func errorf(code int, format string, args ...any) *rpcError {
	return &rpcError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// maxLine bounds a stratum line and a getWork request body.
const maxLine = 16 << 10

// parseRequest decodes one JSON-RPC request.
func parseRequest(line []byte) (*request, *rpcError) {
	line = bytes.TrimSpace(line)
	if len(line) > maxLine {
		return nil, errorf(codeInvalidRequest, "request longer than %d bytes", maxLine)
	}
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return nil, errorf(codeParse, "parse error: %v", err)
	}
	if req.Method == "" {
		return &req, errorf(codeInvalidRequest, "invalid request: no method")
	}
	return &req, nil
}

// answer builds the response to req: err, or result.
func answer(id json.RawMessage, result any, err error) response {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if err == nil {
		return response{ID: id, JSONRPC: "2.0", Result: result}
	}
	var re *rpcError
	if !errors.As(err, &re) {
		re = errorf(codeOther, "%v", err)
	}
	return response{ID: id, JSONRPC: "2.0", Error: re}
}

// stringParams decodes params that must be an array of at least min
// strings; extra members of other types are ignored.
func stringParams(raw json.RawMessage, min int) ([]string, *rpcError) {
	var vals []json.RawMessage
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &vals); err != nil {
			return nil, errorf(codeInvalidParams, "invalid params: want an array")
		}
	}
	if len(vals) < min {
		return nil, errorf(codeInvalidParams, "invalid params: want at least %d, got %d", min, len(vals))
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		if err := json.Unmarshal(v, &out[i]); err != nil && i < min {
			return nil, errorf(codeInvalidParams, "invalid params: member %d is not a string", i)
		}
	}
	return out, nil
}

// parseHash reads 32 bytes of hex, with or without 0x.
func parseHash(s string) ([32]byte, bool) {
	var h [32]byte
	s = strings.TrimPrefix(s, "0x")
	if len(s) != 64 {
		return h, false
	}
	_, err := hex.Decode(h[:], []byte(s))
	return h, err == nil
}

// parseNonce reads a 64-bit nonce of 1 to 16 hex digits, with or without 0x.
func parseNonce(s string) (uint64, bool) {
	s = strings.TrimPrefix(s, "0x")
	if len(s) == 0 || len(s) > 16 || strings.ContainsAny(s, "+-_") {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 16, 64)
	return n, err == nil
}

// parseQuantity reads a 0x hex quantity (eth_submitHashrate's rate).
func parseQuantity(s string) (*big.Int, bool) {
	s, ok := strings.CutPrefix(s, "0x")
	if !ok || len(s) == 0 || len(s) > 64 || strings.ContainsAny(s, "+-_") {
		return nil, false
	}
	return new(big.Int).SetString(s, 16)
}

func hexHash(h [32]byte) string { return fmt.Sprintf("0x%x", h[:]) }
