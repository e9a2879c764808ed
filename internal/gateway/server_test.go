package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// nodeAPI is a node's eth namespace, hand-written, served by go-ethereum's
// real JSON-RPC server.
type nodeAPI struct{ head uint64 }

func (a nodeAPI) BlockNumber() hexutil.Uint64 { return hexutil.Uint64(a.head) }
func (a nodeAPI) Call(args map[string]any, block string) (hexutil.Bytes, error) {
	return nil, revertError{}
}

// revertError looks like geth's answer to a reverted eth_call.
type revertError struct{}

func (revertError) Error() string          { return "execution reverted" }
func (revertError) ErrorCode() int         { return 3 }
func (revertError) ErrorData() interface{} { return "0x08c379a0" }

// serveRPC serves service as the eth namespace of a hand-written node on
// go-ethereum's real JSON-RPC server, and returns its URL.
func serveRPC(t testing.TB, service any) string {
	t.Helper()
	srv := rpc.NewServer()
	if err := srv.RegisterName("eth", service); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Stop() })
	return hs.URL
}

func serveNode(t *testing.T, head uint64) string { return serveRPC(t, nodeAPI{head: head}) }

// deadURL is a loopback address where nothing listens any more.
func deadURL(t *testing.T) string {
	hs := httptest.NewServer(http.NotFoundHandler())
	hs.Close()
	return hs.URL
}

// unavailableURL answers every request with HTTP 503.
func unavailableURL(t *testing.T) string {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

func upstream(t testing.TB, name, url string, fit bool) *Upstream {
	t.Helper()
	var c Conn
	if strings.HasPrefix(url, "ws") { // go-ethereum's client, as for a WebSocket reference
		rc, err := rpc.Dial(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(rc.Close)
		c = RPCConn(rc)
	} else {
		var err error
		if c, err = HTTPConn(url, nil); err != nil {
			t.Fatal(err)
		}
	}
	p := &fakeProbe{}
	s := fitStatus(name, 100)
	s.Up = fit
	p.Set(s)
	return NewUpstream(name, c, p)
}

func newRegistry() *prometheus.Registry { return prometheus.NewRegistry() }

func newTestRouter(t *testing.T, ups []*Upstream) *Router {
	t.Helper()
	r, err := NewRouter(ups, nil, RouterConfig{MaxLag: 2}, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func serveGateway(t *testing.T, ups ...*Upstream) (string, *Router) {
	t.Helper()
	reg := prometheus.NewRegistry()
	r, err := NewRouter(ups, nil, RouterConfig{MaxLag: 2}, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(Config{MaxBatch: 10, MaxBodyBytes: 4096, RequestTimeout: 5 * time.Second}, r, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return hs.URL, r
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	code, out, err := tryPost(url, body)
	if err != nil {
		t.Fatal(err)
	}
	return code, out
}

// tryPost is post for goroutines other than the test's, which may not
// call t.Fatal.
func tryPost(url, body string) (int, string, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(out)), nil
}

func TestTransportErrorsMoveOn(t *testing.T) {
	url, r := serveGateway(t,
		upstream(t, "dead", deadURL(t), true),
		upstream(t, "busy", unavailableURL(t), true),
		upstream(t, "good", serveNode(t, 0x64), true),
	)
	for i := 0; i < 9; i++ {
		_, got := post(t, url, `{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber"}`)
		if got != `{"jsonrpc":"2.0","id":7,"result":"0x64"}` {
			t.Fatalf("request %d: %s", i, got)
		}
	}
	// good answered every time; dead and busy, unmeasured and so looking
	// cheap at first, were tried and failed before it.
	attempts := func(up, result string) float64 {
		return testutil.ToFloat64(r.metrics.attempts.WithLabelValues(up, result))
	}
	failed := attempts("dead", "transport_error") + attempts("busy", "transport_error")
	if failed == 0 || attempts("good", "ok") != 9 {
		t.Errorf("attempts: dead %v, busy %v failed; good %v", attempts("dead", "transport_error"), attempts("busy", "transport_error"), attempts("good", "ok"))
	}
}

func TestAnswers(t *testing.T) {
	good := upstream(t, "good", serveNode(t, 5), true)
	url, _ := serveGateway(t, good, upstream(t, "down", serveNode(t, 5), false))
	noneFit, _ := serveGateway(t, upstream(t, "down", serveNode(t, 5), false))
	allFail, _ := serveGateway(t, upstream(t, "dead", deadURL(t), true))

	tests := []struct {
		name       string
		url        string
		body       string
		wantStatus int
		want       string
	}{
		{"rpc error passes through with data", url, `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{},"latest"]}`, 200,
			`{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted","data":"0x08c379a0"}}`},
		{"unknown method passes through", url, `{"jsonrpc":"2.0","id":1,"method":"eth_nope"}`, 200,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method eth_nope does not exist/is not available"}}`},
		{"batch in order", url, `[{"jsonrpc":"2.0","id":"x","method":"eth_blockNumber"},{"jsonrpc":"2.0","id":2,"method":"eth_nope"},{"jsonrpc":"2.0","method":"eth_blockNumber"},{"jsonrpc":"2.0","id":null,"method":"eth_blockNumber"}]`, 200,
			`[{"jsonrpc":"2.0","id":"x","result":"0x5"},{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"the method eth_nope does not exist/is not available"}},{"jsonrpc":"2.0","id":null,"result":"0x5"}]`},
		{"notification only", url, `{"jsonrpc":"2.0","method":"eth_blockNumber"}`, 200, ``},
		{"no fit upstream", noneFit, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`, 200,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"no fit upstream: every node is unreachable, syncing or behind the fleet"}}`},
		{"every upstream fails", allFail, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`, 200,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"upstream unavailable: every fit node failed to answer"}}`},
		{"body too large", url, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":["` + strings.Repeat("a", 5000) + `"]}`, 413,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"request body exceeds 4096 bytes"}}`},
		{"batch too large", url, `[` + strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},`, 10) + `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}]`, 200,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: batch of 11 calls exceeds the limit of 10"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := post(t, tt.url, tt.body)
			if status != tt.wantStatus || !jsonEqual(got, tt.want) {
				t.Errorf("got %d %s\nwant %d %s", status, got, tt.wantStatus, tt.want)
			}
		})
	}
}

func TestOnlyPost(t *testing.T) {
	url, _ := serveGateway(t)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET = %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func jsonEqual(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
