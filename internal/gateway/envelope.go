package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"strconv"
)

// The JSON-RPC envelope, put together and taken apart as bytes. A proxy
// passes params and results through untouched; decoding a block with all
// its transactions only to encode it again was most of the gateway's CPU.
// encoding/json still parses what clients send (small, untrusted) and
// encodes the gateway's own errors.

// appendCall appends req as a call to an upstream, under the gateway's own
// id (the client's ids are restored from the answer's position).
func appendCall(b []byte, id int, req *request) []byte {
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `,"method":`...)
	b = appendString(b, req.Method)
	if p := bytes.TrimSpace(req.Params); len(p) > 0 && !bytes.Equal(p, nullID) {
		b = append(b, `,"params":`...)
		b = append(b, p...)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string; method names need no escaping,
// anything else goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendTo appends r as JSON. Its id and result are valid JSON already:
// the id was parsed from the client's request, the result was delimited by
// scanAnswer or encoded by the gateway.
func (r *response) appendTo(b []byte) []byte {
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = append(b, idOrNull(r.ID)...)
	if r.Error != nil {
		e, err := json.Marshal(r.Error)
		if err != nil { // data that does not encode: keep code and message
			e, _ = json.Marshal(&rpcError{Code: r.Error.Code, Message: r.Error.Message})
		}
		b = append(b, `,"error":`...)
		b = append(b, e...)
		return append(b, '}')
	}
	b = append(b, `,"result":`...)
	if len(r.Result) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, r.Result...)
	}
	return append(b, '}')
}

// encodeReply lays out one answer, or a batch of them as a JSON array, as
// parts to write in turn: the gateway's own bytes, and each large result
// as the upstream sent it, not copied again.
func encodeReply(answers []response, batch bool) net.Buffers {
	const inline = 512 // results up to this size are copied beside the envelope
	const envelope = len(`{"jsonrpc":"2.0","id":,"result":},`) + 16
	room := 3 // brackets and newline
	for i := range answers {
		room += envelope + len(answers[i].ID)
		if len(answers[i].Result) <= inline {
			room += len(answers[i].Result)
		}
	}
	own := make([]byte, 0, room) // envelopes and small results; earlier parts keep their bytes
	var parts net.Buffers
	mark := 0
	cut := func() {
		if len(own) > mark {
			parts = append(parts, own[mark:len(own):len(own)])
			mark = len(own)
		}
	}
	if batch {
		own = append(own, '[')
	}
	for i := range answers {
		r := &answers[i]
		if i > 0 {
			own = append(own, ',')
		}
		if r.Error != nil || len(r.Result) <= inline {
			own = r.appendTo(own)
			continue
		}
		own = append(own, `{"jsonrpc":"2.0","id":`...)
		own = append(own, idOrNull(r.ID)...)
		own = append(own, `,"result":`...)
		cut()
		parts = append(parts, r.Result)
		own = append(own, '}')
	}
	if batch {
		own = append(own, ']')
	}
	own = append(own, '\n')
	cut()
	return parts
}

// size is the length of all parts.
func size(parts net.Buffers) int {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	return n
}

// answer is one upstream answer taken apart: its id, and either its
// result or its error object, each as the bytes the upstream sent.
type answer struct {
	id     []byte
	result []byte
	error  []byte
}

var errMalformedJSON = errors.New("malformed JSON")

// scanAnswers takes apart an upstream's reply: one answer object, or an
// array of them. Values are delimited, not decoded: a result is passed on
// as it came.
func scanAnswers(body []byte) ([]answer, error) {
	s := scanner{b: body}
	s.space()
	if s.peek() != '[' {
		a, err := s.answer()
		if err != nil {
			return nil, err
		}
		if s.space(); s.i != len(s.b) {
			return nil, errMalformedJSON
		}
		return []answer{a}, nil
	}
	s.i++
	var out []answer
	for {
		s.space()
		if s.peek() == ']' && len(out) == 0 {
			s.i++
			break
		}
		a, err := s.answer()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		s.space()
		c := s.next()
		if c == ']' {
			break
		}
		if c != ',' {
			return nil, errMalformedJSON
		}
	}
	if s.space(); s.i != len(s.b) {
		return nil, errMalformedJSON
	}
	return out, nil
}

// scanner walks JSON text by hand, delimiting values without decoding
// them.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) next() byte {
	c := s.peek()
	s.i++
	return c
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// answer reads one answer object, keeping id, result and error.
func (s *scanner) answer() (answer, error) {
	var a answer
	err := s.members(func(key, v []byte) bool {
		switch string(key) {
		case `"id"`:
			a.id = v
		case `"result"`:
			a.result = v
		case `"error"`:
			a.error = v
		}
		return true
	})
	return a, err
}

// members reads one object, handing each member's key (quoted, as
// written) and value to fn, which returns false to stop with an error.
func (s *scanner) members(fn func(key, value []byte) bool) error {
	s.space()
	if s.next() != '{' {
		return errMalformedJSON
	}
	for first := true; ; first = false {
		s.space()
		if first && s.peek() == '}' {
			s.i++
			return nil
		}
		key, err := s.value()
		if err != nil || key[0] != '"' {
			return errMalformedJSON
		}
		if s.space(); s.next() != ':' {
			return errMalformedJSON
		}
		s.space()
		v, err := s.value()
		if err != nil {
			return err
		}
		if !fn(key, v) {
			return errMalformedJSON
		}
		s.space()
		switch s.next() {
		case ',':
		case '}':
			return nil
		default:
			return errMalformedJSON
		}
	}
}

// elements reads one array, handing each element to fn, which returns
// false to stop there.
func (s *scanner) elements(fn func(value []byte) bool) error {
	s.space()
	if s.next() != '[' {
		return errMalformedJSON
	}
	for first := true; ; first = false {
		s.space()
		if first && s.peek() == ']' {
			s.i++
			return nil
		}
		v, err := s.value()
		if err != nil {
			return err
		}
		if !fn(v) {
			return nil
		}
		s.space()
		switch s.next() {
		case ',':
		case ']':
			return nil
		default:
			return errMalformedJSON
		}
	}
}

// value delimits the value starting at the current position: a string,
// an object or array (brackets balanced, strings skipped whole), or a
// literal or number (up to the next delimiter).
func (s *scanner) value() ([]byte, error) {
	start := s.i
	switch s.peek() {
	case '"':
		if !s.skipString() {
			return nil, errMalformedJSON
		}
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if !s.skipString() {
					return nil, errMalformedJSON
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return s.b[start:s.i], nil
			}
		}
		return nil, errMalformedJSON
	default:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				goto done
			case '{', '[', '"', ':':
				return nil, errMalformedJSON
			}
			s.i++
		}
	done:
		if s.i == start {
			return nil, errMalformedJSON
		}
	}
	return s.b[start:s.i], nil
}

// skipString moves past the string starting at the current quote.
func (s *scanner) skipString() bool {
	s.i++
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			return false
		}
		s.i += j + 1
		// The quote ends the string unless an odd run of backslashes
		// escapes it.
		n := 0
		for k := s.i - 2; k >= 0 && s.b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
	}
}
