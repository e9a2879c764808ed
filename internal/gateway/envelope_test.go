package gateway

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestScanAnswers(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []answer // nil: malformed
		wantErr bool
	}{
		{name: "result", body: `{"jsonrpc":"2.0","id":0,"result":"0x10"}`,
			want: []answer{{id: []byte("0"), result: []byte(`"0x10"`)}}},
		{name: "object result with tricky strings", body: ` {"id":3,"result":{"a":"}]\"\\","b":[1,{"c":"\\\\"}]},"jsonrpc":"2.0"} ` + "\n",
			want: []answer{{id: []byte("3"), result: []byte(`{"a":"}]\"\\","b":[1,{"c":"\\\\"}]}`)}}},
		{name: "null result", body: `{"jsonrpc":"2.0","id":1,"result":null}`,
			want: []answer{{id: []byte("1"), result: []byte("null")}}},
		{name: "error", body: `{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"header not found"}}`,
			want: []answer{{id: []byte("2"), error: []byte(`{"code":-32000,"message":"header not found"}`)}}},
		{name: "batch", body: `[{"jsonrpc":"2.0","id":1,"result":true},{"jsonrpc":"2.0","id":0,"result":[]}]`,
			want: []answer{{id: []byte("1"), result: []byte("true")}, {id: []byte("0"), result: []byte("[]")}}},
		{name: "empty batch", body: `[]`, want: nil},
		{name: "truncated", body: `{"jsonrpc":"2.0","id":1,"result":{"a":1}`, wantErr: true},
		{name: "unterminated string", body: `{"id":1,"result":"abc}`, wantErr: true},
		{name: "trailing garbage", body: `{"id":1,"result":1} x`, wantErr: true},
		{name: "missing colon", body: `{"id" 1}`, wantErr: true},
		{name: "not an object", body: `"hello"`, wantErr: true},
		{name: "html error page", body: `<html>502 Bad Gateway</html>`, wantErr: true},
		{name: "empty", body: ``, wantErr: true},
		{name: "batch missing comma", body: `[{"id":1,"result":1} {"id":2,"result":2}]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scanAnswers([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d answers, want %d", len(got), len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if !bytes.Equal(g.id, w.id) || !bytes.Equal(g.result, w.result) || !bytes.Equal(g.error, w.error) {
					t.Errorf("answer %d = {%s %s %s}, want {%s %s %s}", i, g.id, g.result, g.error, w.id, w.result, w.error)
				}
			}
		})
	}
}

// FuzzScanAnswers checks the hand-written scanner against encoding/json:
// for any valid JSON object it delimits the same id, result and error.
func FuzzScanAnswers(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"result":{"a":["\"]}",1.5e3,null]}}`))
	f.Add([]byte(`{"id":"x","error":{"code":1,"message":"m","data":"0x"}}`))
	f.Add([]byte(`[{"id":1,"result":1},{"id":2,"result":"\\"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := scanAnswers(body)
		if !json.Valid(body) {
			return // anything may come of invalid input, but no panic
		}
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) == 0 || trimmed[0] != '{' || bytes.Contains(body, []byte(`\u`)) {
			return // keys spelled with escapes are not recognised: no node writes them
		}
		var m map[string]json.RawMessage // keys matched exactly, the last one winning
		if json.Unmarshal(body, &m) != nil {
			return
		}
		want := struct{ ID, Result, Error json.RawMessage }{m["id"], m["result"], m["error"]}
		if err != nil {
			t.Fatalf("valid object %q refused: %v", body, err)
		}
		a := got[0]
		for _, f := range []struct {
			name      string
			got, want []byte
		}{{"id", a.id, want.ID}, {"result", a.result, want.Result}, {"error", a.error, want.Error}} {
			if !bytes.Equal(f.got, f.want) {
				t.Fatalf("%s: scanner %q, encoding/json %q in %q", f.name, f.got, f.want, body)
			}
		}
	})
}

func TestAppendToMatchesEncodingJSON(t *testing.T) {
	tests := []response{
		{ID: json.RawMessage("7"), Result: json.RawMessage(`{"number":"0x1"}`)},
		{ID: json.RawMessage(`"abc"`), Result: nil},
		{ID: nil, Error: &rpcError{Code: -32601, Message: "the method x<y> is not available"}},
		{ID: json.RawMessage("1"), Error: &rpcError{Code: 3, Message: "execution reverted", Data: json.RawMessage(`"0x08c379a0"`)}},
	}
	for _, r := range tests {
		r.JSONRPC = "2.0"
		got := r.appendTo(nil)
		if !json.Valid(got) {
			t.Fatalf("invalid JSON %s", got)
		}
		var a, b map[string]any
		json.Unmarshal(got, &a)
		want := r
		want.ID = idOrNull(r.ID)
		if want.Error == nil && want.Result == nil {
			want.Result = nullID
		}
		enc, _ := json.Marshal(want)
		json.Unmarshal(enc, &b)
		ga, _ := json.Marshal(a)
		gb, _ := json.Marshal(b)
		if !bytes.Equal(ga, gb) {
			t.Errorf("appendTo %s, encoding/json %s", got, enc)
		}
	}
}

func TestAppendCall(t *testing.T) {
	tests := []struct {
		req  request
		want string
	}{
		{request{Method: "eth_blockNumber"}, `{"jsonrpc":"2.0","id":3,"method":"eth_blockNumber"}`},
		{request{Method: "eth_getBalance", Params: json.RawMessage(` ["0xab", "latest"] `)}, `{"jsonrpc":"2.0","id":3,"method":"eth_getBalance","params":["0xab", "latest"]}`},
		{request{Method: "eth_chainId", Params: json.RawMessage(`null`)}, `{"jsonrpc":"2.0","id":3,"method":"eth_chainId"}`},
		{request{Method: "we\"ird\n"}, `{"jsonrpc":"2.0","id":3,"method":"we\"ird\n"}`},
	}
	for _, tt := range tests {
		got := string(appendCall(nil, 3, &tt.req))
		if got != tt.want {
			t.Errorf("appendCall = %s, want %s", got, tt.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("invalid JSON %s", got)
		}
	}
}

// TestEncodeReply checks that the parts of a reply, joined, are the
// answers' JSON: single or batch, large results shared, errors inline.
func TestEncodeReply(t *testing.T) {
	big := json.RawMessage(`"0x` + strings.Repeat("ab", 600) + `"`)
	answers := []response{
		{ID: json.RawMessage("1"), Result: big},
		{ID: json.RawMessage(`"x"`), Result: json.RawMessage(`"0x1"`)},
		{ID: nil, Error: &rpcError{Code: -32601, Message: "no"}},
		{ID: json.RawMessage("4"), Result: big},
	}
	for _, batch := range []bool{false, true} {
		in := answers
		if !batch {
			in = answers[:1]
		}
		parts := encodeReply(in, batch)
		got := bytes.Join(parts, nil)
		var want []byte
		for i := range in {
			want = append(want, in[i].appendTo(nil)...)
			want = append(want, ',')
		}
		want = want[:len(want)-1]
		if batch {
			want = append(append([]byte{'['}, want...), ']')
		}
		want = append(want, '\n')
		if !bytes.Equal(got, want) {
			t.Errorf("batch %v: got %s\nwant %s", batch, got, want)
		}
		if size(parts) != len(want) {
			t.Errorf("size %d, want %d", size(parts), len(want))
		}
	}
}
