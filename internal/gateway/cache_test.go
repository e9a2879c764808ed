package gateway

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

func TestCacheKey(t *testing.T) {
	const finalized = 100
	tests := []struct {
		method, params string
		cacheable      bool
	}{
		{"eth_chainId", `[]`, true},
		{"net_version", ``, true},
		{"eth_getBlockByHash", `["0xabc",false]`, true},
		{"eth_getTransactionReceipt", `["0xabc"]`, true}, // kept only if its block is final
		{"eth_getBlockByNumber", `["0x64",false]`, true},
		{"eth_getBlockByNumber", `["0x65",false]`, false},
		{"eth_getBlockByNumber", `["latest",false]`, false},
		{"eth_getBlockByNumber", `["finalized",false]`, false},
		{"eth_getBlockByNumber", `["pending",false]`, false},
		{"eth_getBalance", `["0x01","0x10"]`, true},
		{"eth_getBalance", `["0x01","latest"]`, false},
		{"eth_call", `[{"to":"0x01"},{"blockNumber":"0x63"}]`, true},
		{"eth_getLogs", `[{"fromBlock":"0x1","toBlock":"0x64"}]`, true},
		{"eth_getLogs", `[{"fromBlock":"0x1","toBlock":"0x65"}]`, false},
		{"eth_getLogs", `[{"fromBlock":"0x1","toBlock":"latest"}]`, false},
		{"eth_blockNumber", `[]`, false},
		{"eth_gasPrice", `[]`, false},
	}
	for _, tt := range tests {
		_, ok := cacheKey(&request{Method: tt.method, Params: json.RawMessage(tt.params)}, finalized)
		if ok != tt.cacheable {
			t.Errorf("cacheKey(%s %s) = %v, want %v", tt.method, tt.params, ok, tt.cacheable)
		}
	}
	if _, ok := cacheKey(&request{Method: "eth_getBlockByNumber", Params: json.RawMessage(`["0x0",false]`)}, 0); ok {
		t.Error("a block kept on a chain without finality")
	}
	a, _ := cacheKey(&request{Method: "eth_getBalance", Params: json.RawMessage(`["0x01", "0x10"]`)}, finalized)
	b, _ := cacheKey(&request{Method: "eth_getBalance", Params: json.RawMessage(`["0x01","0x10"]`)}, finalized)
	if a != b {
		t.Error("keys differ by whitespace")
	}
}

func TestKeepable(t *testing.T) {
	receipt := &request{Method: "eth_getTransactionReceipt"}
	tests := []struct {
		name   string
		req    *request
		result string
		err    *rpcError
		want   bool
	}{
		{"a block", &request{Method: "eth_getBlockByNumber"}, `{"number":"0x1"}`, nil, true},
		{"null", &request{Method: "eth_getBlockByHash"}, `null`, nil, false},
		{"an error", &request{Method: "eth_chainId"}, ``, &rpcError{Code: -32000, Message: "boom"}, false},
		{"receipt in a final block", receipt, `{"blockNumber":"0x64"}`, nil, true},
		{"receipt in a newer block", receipt, `{"blockNumber":"0x65"}`, nil, false},
		{"pending transaction", &request{Method: "eth_getTransactionByHash"}, `{"blockNumber":null}`, nil, false},
	}
	for _, tt := range tests {
		if got := keepable(tt.req, &response{Result: json.RawMessage(tt.result), Error: tt.err}, 100); got != tt.want {
			t.Errorf("%s: keepable = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// countingNode counts the calls it answers and can be made slow.
type countingNode struct {
	calls atomic.Int64
	delay time.Duration
}

type countingAPI struct{ n *countingNode }

func (a countingAPI) ChainId() hexutil.Uint64 { a.n.calls.Add(1); time.Sleep(a.n.delay); return 1337 }
func (a countingAPI) GetBlockByNumber(tag string, full bool) map[string]any {
	a.n.calls.Add(1)
	time.Sleep(a.n.delay)
	if tag == "0x3e8" {
		return nil // block 1000 does not exist
	}
	return map[string]any{"number": tag}
}

func serveCounting(t testing.TB, cfg Config, n *countingNode, finalized uint64) string {
	t.Helper()
	hs := httptest.NewServer(countingServer(t, cfg, n, finalized))
	t.Cleanup(hs.Close)
	return hs.URL
}

// countingServer is a gateway in front of n, whose fleet finalized
// finalized.
func countingServer(t testing.TB, cfg Config, n *countingNode, finalized uint64) *Server {
	t.Helper()
	u := upstream(t, "node", serveRPC(t, countingAPI{n}), true)
	st := fitStatus("node", 200)
	st.Finalized = finalized
	u.probe.(*fakeProbe).Set(st)
	return newServerWith(t, cfg, u)
}

func TestCacheServesOnlyWhatCannotChange(t *testing.T) {
	n := &countingNode{}
	url := serveCounting(t, Config{CacheBytes: 1 << 20}, n, 100)
	tests := []struct {
		name, body string
		upstream   int64 // calls reaching the node for two identical requests
	}{
		{"chain id", `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`, 1},
		{"finalized block", `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x64",false]}`, 1},
		{"block above finalized", `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x65",false]}`, 2},
		{"latest", `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}`, 2},
		{"finalized tag", `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["finalized",false]}`, 2},
		{"missing block (null)", `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x3e8",false]}`, 2},
	}
	for _, tt := range tests {
		before := n.calls.Load()
		_, first := post(t, url, tt.body)
		_, second := post(t, url, strings.Replace(tt.body, `"id":1`, `"id":"second"`, 1))
		if got := n.calls.Load() - before; got != tt.upstream {
			t.Errorf("%s: %d calls reached the node, want %d", tt.name, got, tt.upstream)
		}
		if !strings.Contains(second, `"id":"second"`) || strings.Replace(second, `"id":"second"`, `"id":1`, 1) != first {
			t.Errorf("%s: second answer %s differs from first %s but for its id", tt.name, second, first)
		}
	}
}

func TestIdenticalCallsInFlightAreMerged(t *testing.T) {
	for _, merge := range []bool{true, false} {
		n := &countingNode{delay: 200 * time.Millisecond}
		url := serveCounting(t, Config{MergeInFlight: merge}, n, 0)
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, got := post(t, url, `{"jsonrpc":"2.0","id":7,"method":"eth_getBlockByNumber","params":["latest",false]}`); !strings.Contains(got, `"id":7`) {
					t.Errorf("answer %s", got)
				}
			}()
		}
		wg.Wait()
		if merge && n.calls.Load() > 3 || !merge && n.calls.Load() != 10 {
			t.Errorf("merge=%v: %d of 10 identical calls reached the node", merge, n.calls.Load())
		}
	}
}
