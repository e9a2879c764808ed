package gateway

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestFilterLifecycle: a filter's id is the gateway's, polls reach the
// node's filter, an uninstalled filter or an id never given is "filter
// not found", as a node says.
func TestFilterLifecycle(t *testing.T) {
	n := &filterNode{name: "a"}
	url := serveWith(t, Config{}, upstream(t, "a", serveRPC(t, filterAPI{n}), true))
	call := func(method, params string) string {
		t.Helper()
		_, body := post(t, url, `{"jsonrpc":"2.0","id":1,"method":"`+method+`","params":[`+params+`]}`)
		return body
	}
	var r struct{ Result string }
	json.Unmarshal([]byte(call("eth_newBlockFilter", "")), &r)
	if len(r.Result) != 34 || n.filters[r.Result] {
		t.Fatalf("filter id %q: want the gateway's own 16 bytes, not the node's", r.Result)
	}
	id := `"` + r.Result + `"`
	tests := []struct{ method, params, want string }{
		{"eth_getFilterChanges", id, `"result":[]`},
		{"eth_getFilterChanges", `"0x0123"`, "filter not found"},
		{"eth_getFilterChanges", `1`, "takes one param, the filter id"},
		{"eth_uninstallFilter", id, `"result":true`},
		{"eth_getFilterChanges", id, "filter not found"},
		{"eth_uninstallFilter", id, "filter not found"},
	}
	for _, tt := range tests {
		if got := call(tt.method, tt.params); !strings.Contains(got, tt.want) {
			t.Errorf("%s(%s) = %s, want %s", tt.method, tt.params, got, tt.want)
		}
	}
	if len(n.filters) != 0 {
		t.Errorf("the node still has %d filters", len(n.filters))
	}
}

// TestFilterTableBound: a gateway keeps at most maxFilters, making room
// by forgetting those nobody polled for filterIdle.
func TestFilterTableBound(t *testing.T) {
	var ft filterTable
	now := time.Unix(1_000_000, 0)
	var first string
	for i := range maxFilters {
		id, ok := ft.add(nil, json.RawMessage(`"0x1"`), "", now)
		if !ok {
			t.Fatalf("filter %d refused", i)
		}
		if i == 0 {
			first = id
		}
	}
	if _, ok := ft.add(nil, json.RawMessage(`"0x1"`), "", now); ok {
		t.Fatal("a filter past the bound was taken")
	}
	later := now.Add(filterIdle + time.Second)
	ft.get(first, "", later) // polled: kept
	if _, ok := ft.add(nil, json.RawMessage(`"0x1"`), "", later); !ok {
		t.Fatal("idle filters were not forgotten")
	}
	if _, ok := ft.get(first, "other-key", later); ok {
		t.Error("another key's filter was found")
	}
	if _, ok := ft.get(first, "", later); !ok || len(ft.byID) != 2 {
		t.Errorf("after the sweep: the polled filter kept %v, %d filters (want 2)", ok, len(ft.byID))
	}
}
