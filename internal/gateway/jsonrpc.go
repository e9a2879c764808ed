package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSON-RPC 2.0 error codes the gateway answers with itself. -32002 and
// -32005 are EIP-1474's "resource unavailable" and "limit exceeded"; -32000
// is the generic server error the spec leaves to implementations.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeInvalidParams  = -32602
	codeInternal       = -32603
	codeUnavailable    = -32002
	codeLimitExceeded  = -32005
	codeUnauthorized   = -32000
	codeFilterGone     = -32000 // go-ethereum's code for "filter not found"
	codeMethodNotFound = -32601
)

// request is one JSON-RPC call as a client sent it.
type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
}

// isNotification reports whether the client expects no answer.
func (r *request) isNotification() bool { return r.ID == nil }

// response is one JSON-RPC answer.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

var nullID = json.RawMessage("null")

func errorResponse(id json.RawMessage, code int, format string, args ...any) response {
	if id == nil {
		id = nullID
	}
	return response{JSONRPC: "2.0", ID: id, Error: &rpcError{Code: code, Message: fmt.Sprintf(format, args...)}}
}

// call is one element of a client request: either a valid request to
// forward, or the error answer it already has.
type call struct {
	req    request
	answer *response // set when the gateway answers the call itself
	// invalid marks a call that is not a valid request: its answer goes
	// back even without an id, as the gateway cannot tell whether it was
	// meant as a notification.
	invalid bool
}

// answered reports whether the client gets c's answer: every call does but
// a notification, except that an invalid request is always answered. An
// upstream's answer to a notification, whatever its code, is not.
func (c *call) answered() bool {
	return !c.req.isNotification() || c.invalid
}

// parseBody splits a request body into calls. It returns batch=true for a
// JSON array. A body that is not a request at all (bad JSON, an empty or
// oversized batch) gets a single error answer in fail.
func parseBody(body []byte, maxBatch int) (calls []call, batch bool, fail *response) {
	body = bytes.TrimSpace(body)
	if c, ok := parseCallFast(body); ok { // checked as it went: valid and shallow
		return []call{c}, false, nil
	}
	if !json.Valid(body) {
		r := errorResponse(nil, codeParseError, "parse error")
		return nil, false, &r
	}
	if depth(body) > maxDepth {
		r := errorResponse(nil, codeInvalidRequest, "invalid request: nested deeper than %d levels", maxDepth)
		return nil, body[0] == '[', &r
	}
	if body[0] != '[' {
		return []call{parseCallJSON(body)}, false, nil // the fast path refused it above
	}
	elems, err := splitArray(body)
	if err != nil {
		r := errorResponse(nil, codeParseError, "parse error")
		return nil, false, &r
	}
	switch {
	case len(elems) == 0:
		r := errorResponse(nil, codeInvalidRequest, "invalid request: empty batch")
		return nil, true, &r
	case len(elems) > maxBatch:
		r := errorResponse(nil, codeInvalidRequest, "invalid request: batch of %d calls exceeds the limit of %d", len(elems), maxBatch)
		return nil, true, &r
	}
	calls = make([]call, len(elems))
	for i, e := range elems {
		calls[i] = parseCall(e)
	}
	return calls, true, nil
}

// parseCall checks one call against JSON-RPC 2.0.
func parseCall(raw json.RawMessage) call {
	if c, ok := parseCallFast(raw); ok {
		return c
	}
	return parseCallJSON(raw)
}

// parseCallJSON checks one call with encoding/json, wording each error.
func parseCallJSON(raw json.RawMessage) call {
	var c call
	if len(raw) == 0 || raw[0] != '{' {
		r := errorResponse(nil, codeInvalidRequest, "invalid request: not a JSON object")
		return call{answer: &r, invalid: true}
	}
	if err := json.Unmarshal(raw, &c.req); err != nil {
		r := errorResponse(nil, codeInvalidRequest, "invalid request: %s", fieldError(err))
		return call{answer: &r, invalid: true}
	}
	id := c.req.ID
	invalid := func(why string) call {
		r := errorResponse(idOrNull(id), codeInvalidRequest, "invalid request: %s", why)
		return call{req: c.req, answer: &r, invalid: true}
	}
	switch {
	case id != nil && !validID(id):
		id = nil
		return invalid("id must be a string, a number or null")
	case c.req.JSONRPC != "2.0":
		return invalid(`jsonrpc must be "2.0"`)
	case c.req.Method == "":
		return invalid("method is missing")
	}
	if p := bytes.TrimSpace(c.req.Params); len(p) > 0 && p[0] != '[' && !bytes.Equal(p, nullID) {
		r := errorResponse(idOrNull(id), codeInvalidParams, "invalid params: params must be an array")
		c.answer = &r
	}
	return c
}

// splitArray returns the elements of a valid JSON array.
func splitArray(body []byte) ([]json.RawMessage, error) {
	elems := make([]json.RawMessage, 0, 4)
	s := scanner{b: body}
	err := s.elements(func(v []byte) bool {
		elems = append(elems, v)
		return true
	})
	if err != nil {
		return nil, err
	}
	return elems, nil
}

// arrayElem returns element i of a valid JSON array, if it has one.
func arrayElem(arr []byte, i int) (json.RawMessage, bool) {
	var elem json.RawMessage
	n := 0
	s := scanner{b: arr}
	s.elements(func(v []byte) bool {
		if n == i {
			elem = v
			return false
		}
		n++
		return true
	})
	return elem, elem != nil
}

// parseCallFast takes apart the common call without reflection: an object
// of valid JSON with the members spelled as JSON-RPC spells them, each
// once, jsonrpc "2.0", a method name without escapes, an id that is a
// number, a string or null, and params an array or null, nested no deeper
// than maxDepth. It checks all of that itself, so a call it takes needs no
// other check. For anything else it returns false, and encoding/json words
// the error.
func parseCallFast(raw []byte) (call, bool) {
	var c call
	var seen [4]bool
	s := scanner{b: raw}
	err := s.members(func(key, v []byte) bool {
		var field int
		switch string(key) {
		case `"jsonrpc"`:
			if string(v) != `"2.0"` {
				return false
			}
			c.req.JSONRPC, field = "2.0", 0
		case `"id"`:
			if !validID(v) || !json.Valid(v) {
				return false
			}
			c.req.ID, field = v, 1
		case `"method"`:
			if len(v) < 3 || v[0] != '"' || !plainName(v[1:len(v)-1]) {
				return false
			}
			c.req.Method, field = methodName(v[1:len(v)-1]), 2
		case `"params"`:
			if v[0] != '[' && string(v) != "null" || depth(v) >= maxDepth || !json.Valid(v) {
				return false
			}
			c.req.Params, field = v, 3
		default:
			return false
		}
		if seen[field] {
			return false
		}
		seen[field] = true
		return true
	})
	if s.space(); err != nil || s.i != len(raw) {
		return c, false
	}
	return c, seen[0] && seen[2]
}

// plainName reports whether a method name is printable ASCII without
// escapes, so that its JSON is its text.
func plainName(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

func idOrNull(id json.RawMessage) json.RawMessage {
	if id == nil {
		return nullID
	}
	return id
}

// validID accepts the id types JSON-RPC 2.0 allows: string, number, null.
func validID(id json.RawMessage) bool {
	switch id[0] {
	case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// fieldError names the field whose type was wrong, without echoing input.
func fieldError(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("%s must not be a %s", te.Field, te.Value)
	}
	return "malformed object"
}

// params splits a call's params array into positional arguments, passed
// upstream verbatim.
func (r *request) params() ([]any, error) {
	p := bytes.TrimSpace(r.Params)
	if len(p) == 0 || bytes.Equal(p, nullID) {
		return nil, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(p, &raw); err != nil {
		return nil, err
	}
	args := make([]any, len(raw))
	for i, a := range raw {
		args[i] = a
	}
	return args, nil
}

// maxDepth bounds how deeply a request may nest arrays and objects. No
// Ethereum method takes params deeper than a few levels; a request nested
// deeper is refused before anything decodes it.
const maxDepth = 32

// depth returns the deepest nesting of arrays and objects in valid JSON.
func depth(data []byte) int {
	var d, deepest int
	inString, escaped := false, false
	for _, b := range data {
		switch {
		case escaped:
			escaped = false
		case inString && b == '\\':
			escaped = true
		case b == '"':
			inString = !inString
		case inString:
		case b == '[' || b == '{':
			d++
			deepest = max(deepest, d)
		case b == ']' || b == '}':
			d--
		}
	}
	return deepest
}
