package gateway

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseBody(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		batch    bool
		failCode int      // the single error answer, if the body is not a request
		answers  []string // per call: "" to forward, else the error code it gets
	}{
		{name: "single", body: `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`, answers: []string{""}},
		{name: "notification", body: `{"jsonrpc":"2.0","method":"eth_blockNumber"}`, answers: []string{""}},
		{name: "string id and params", body: ` {"jsonrpc":"2.0","id":"a","method":"eth_getBalance","params":["0x0","latest"]} `, answers: []string{""}},
		{name: "null params", body: `{"jsonrpc":"2.0","id":1,"method":"m","params":null}`, answers: []string{""}},
		{name: "malformed", body: `{"jsonrpc":"2.0","id":1,`, failCode: codeParseError},
		{name: "empty body", body: ``, failCode: codeParseError},
		{name: "trailing garbage", body: `{"jsonrpc":"2.0","id":1,"method":"m"}x`, failCode: codeParseError},
		{name: "empty batch", body: `[]`, batch: true, failCode: codeInvalidRequest},
		{name: "deep nesting", body: `{"jsonrpc":"2.0","id":1,"method":"m","params":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, failCode: codeInvalidRequest},
		{name: "brackets in strings are not nesting", body: `{"jsonrpc":"2.0","id":1,"method":"m","params":["` + strings.Repeat("[{\\\"", 40) + `"]}`, answers: []string{""}},
		{name: "batch too large", body: `[` + strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"m"},`, 5) + `{"jsonrpc":"2.0","id":1,"method":"m"}]`, batch: true, failCode: codeInvalidRequest},
		{name: "number", body: `1`, answers: []string{"-32600"}},
		{name: "wrong version", body: `{"jsonrpc":"1.0","id":1,"method":"m"}`, answers: []string{"-32600"}},
		{name: "no method", body: `{"jsonrpc":"2.0","id":1}`, answers: []string{"-32600"}},
		{name: "method not a string", body: `{"jsonrpc":"2.0","id":1,"method":7}`, answers: []string{"-32600"}},
		{name: "object id", body: `{"jsonrpc":"2.0","id":{},"method":"m"}`, answers: []string{"-32600"}},
		{name: "params object", body: `{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":1}}`, answers: []string{"-32602"}},
		{name: "mixed batch", body: `[{"jsonrpc":"2.0","id":1,"method":"m"},1,"x",{"id":2,"method":"m"},{"jsonrpc":"2.0","method":"n"}]`, batch: true,
			answers: []string{"", "-32600", "-32600", "-32600", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, batch, fail := parseBody([]byte(tt.body), 5)
			if batch != tt.batch {
				t.Errorf("batch = %v, want %v", batch, tt.batch)
			}
			if tt.failCode != 0 {
				if fail == nil || fail.Error.Code != tt.failCode {
					t.Fatalf("fail = %+v, want code %d", fail, tt.failCode)
				}
				return
			}
			if fail != nil {
				t.Fatalf("unexpected failure %+v", fail.Error)
			}
			if len(calls) != len(tt.answers) {
				t.Fatalf("%d calls, want %d", len(calls), len(tt.answers))
			}
			for i, c := range calls {
				got := ""
				if c.answer != nil {
					got = itoa(c.answer.Error.Code)
				}
				if got != tt.answers[i] {
					t.Errorf("call %d answered %q, want %q", i, got, tt.answers[i])
				}
			}
		})
	}
}

func itoa(code int) string { b, _ := json.Marshal(code); return string(b) }

// FuzzParseBody holds parseBody to its contract on any input: no panic,
// and either one failure answer or calls that are each forwardable or
// answered, with a valid JSON id.
func FuzzParseBody(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
		`[{"jsonrpc":"2.0","id":"x","method":"m","params":[1,{"a":null}]},2]`,
		`[]`, `{`, `null`, `"s"`, `{"jsonrpc":"2.0","id":1e99,"method":"m","params":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		calls, _, fail := parseBody(body, 100)
		if fail != nil {
			if len(calls) != 0 || fail.Error == nil {
				t.Fatalf("failure with calls or without error: %+v", fail)
			}
			return
		}
		if len(calls) == 0 || len(calls) > 100 {
			t.Fatalf("%d calls", len(calls))
		}
		for _, c := range calls {
			if c.answer == nil {
				if c.req.Method == "" || c.req.JSONRPC != "2.0" {
					t.Fatalf("forwardable call is invalid: %+v", c.req)
				}
				if _, err := c.req.params(); err != nil {
					t.Fatalf("forwardable call has bad params: %v", err)
				}
				continue
			}
			if out := c.answer.appendTo(nil); !json.Valid(out) {
				t.Fatalf("answer does not encode: %s", out)
			}
		}
		// The fast path takes only valid, shallow calls, and agrees with
		// encoding/json on each.
		if fast, ok := parseCallFast(body); ok {
			if !json.Valid(body) || depth(body) > maxDepth {
				t.Fatalf("fast path took %q", body)
			}
			slow := parseCallJSON(body)
			if slow.answer != nil || fast.req.Method != slow.req.Method || fast.req.JSONRPC != slow.req.JSONRPC ||
				!bytes.Equal(fast.req.ID, slow.req.ID) || !bytes.Equal(fast.req.Params, slow.req.Params) {
				t.Fatalf("fast path %+v, encoding/json %+v (answer %+v)", fast.req, slow.req, slow.answer)
			}
		}
	})
}

func TestArrayElem(t *testing.T) {
	tests := []struct {
		arr  string
		i    int
		want string
		ok   bool
	}{
		{`["0x1",true]`, 0, `"0x1"`, true},
		{` [ "0x1" , {"a":[1,2]} ] `, 1, `{"a":[1,2]}`, true},
		{`["a,b\"]",2]`, 1, `2`, true},
		{`[1,2]`, 2, ``, false},
		{`[]`, 0, ``, false},
		{`{"a":1}`, 0, ``, false},
		{`null`, 0, ``, false},
	}
	for _, tt := range tests {
		got, ok := arrayElem([]byte(tt.arr), tt.i)
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("arrayElem(%s, %d) = %s, %v; want %s, %v", tt.arr, tt.i, got, ok, tt.want, tt.ok)
		}
	}
}
