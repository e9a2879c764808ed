package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"
)

// The benchmarks below price, in-process and on one goroutine, the steps
// that bench/gateway/run found to dominate the gateway's CPU time: reading
// a node's answer through go-ethereum's client, writing the client's
// answer with encoding/json, and encoding one newHeads notification per
// subscriber. Each has a floor beside it: the bytes copied and nothing else.

// blockJSON returns a block as a node encodes it, with txs full
// transactions: about 1.9 KB plus 0.7 KB per transaction.
func blockJSON(txs int) json.RawMessage {
	hash := `"0x` + strings.Repeat("ab", 32) + `"`
	var fields []string
	for _, k := range []string{"hash", "parentHash", "stateRoot", "receiptsRoot", "transactionsRoot", "mixHash", "sha3Uncles", "withdrawalsRoot", "parentBeaconBlockRoot", "requestsHash"} {
		fields = append(fields, fmt.Sprintf("%q:%s", k, hash))
	}
	fields = append(fields, `"logsBloom":"0x`+strings.Repeat("00", 256)+`"`, `"number":"0x3e8"`, `"gasLimit":"0x1c9c380"`, `"timestamp":"0x6553f100"`)
	var list []string
	for i := range txs {
		list = append(list, fmt.Sprintf(`{"blockHash":%s,"blockNumber":"0x3e8","from":"0x%040x","gas":"0x5208","hash":%s,"input":"0x","nonce":"0x%x","to":"0x%040x","transactionIndex":"0x%x","value":"0xf4240","type":"0x2","accessList":[],"chainId":"0x539","v":"0x0","r":%s,"s":%s,"yParity":"0x0"}`, hash, i, hash, i, i+1, i, hash, hash))
	}
	fields = append(fields, `"transactions":[`+strings.Join(list, ",")+`]`)
	return json.RawMessage("{" + strings.Join(fields, ",") + "}")
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkAnswerEncoding is writeJSON of one answer holding a full block.
func BenchmarkAnswerEncoding(b *testing.B) {
	block := blockJSON(4)
	r := response{JSONRPC: "2.0", ID: json.RawMessage("7"), Result: block}
	w := &discardWriter{h: http.Header{}}
	b.Run("writeJSON", func(b *testing.B) {
		b.SetBytes(int64(len(block)))
		b.ReportAllocs()
		for b.Loop() {
			writeJSON(w, http.StatusOK, encodeReply([]response{r}, false))
		}
	})
	b.Run("floor", func(b *testing.B) {
		b.SetBytes(int64(len(block)))
		b.ReportAllocs()
		buf := make([]byte, 0, len(block)+64)
		for b.Loop() {
			buf = append(append(append(buf[:0], `{"jsonrpc":"2.0","id":7,"result":`...), block...), "}\n"...)
			w.Write(buf)
		}
	})
}

// blockNode answers eth_getBlockByNumber with a fixed full block.
type blockNode struct{ block json.RawMessage }

func (n blockNode) GetBlockByNumber(number json.RawMessage, full bool) json.RawMessage {
	return n.block
}

// BenchmarkUpstreamSend is Upstream.send of one eth_getBlockByNumber, and
// of a batch of ten, to a node on loopback whose own cost is in the floor:
// the same request posted with net/http, the answer read and not decoded.
func BenchmarkUpstreamSend(b *testing.B) {
	block := blockJSON(4)
	srv := rpc.NewServer()
	if err := srv.RegisterName("eth", blockNode{block}); err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer func() { hs.Close(); srv.Stop() }()
	url := hs.URL
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}}
	c, err := HTTPConn(url, hc)
	if err != nil {
		b.Fatal(err)
	}
	u := NewUpstream("node", c, &fakeProbe{})
	req := &request{Method: "eth_getBlockByNumber", Params: json.RawMessage(`["0x3e8",true]`)}
	for _, n := range []int{1, 10} {
		reqs := make([]*request, n)
		for i := range reqs {
			reqs[i] = req
		}
		b.Run(fmt.Sprintf("send/%d", n), func(b *testing.B) {
			b.SetBytes(int64(n * len(block)))
			b.ReportAllocs()
			for b.Loop() {
				if _, errs, err := u.send(context.Background(), reqs); err != nil || errs[0] != nil {
					b.Fatal(err, errs[0])
				}
			}
		})
		body := `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x3e8",true]}`
		if n > 1 {
			body = "[" + strings.TrimSuffix(strings.Repeat(body+",", n), ",") + "]"
		}
		b.Run(fmt.Sprintf("floor/%d", n), func(b *testing.B) {
			b.SetBytes(int64(n * len(block)))
			b.ReportAllocs()
			for b.Loop() {
				resp, err := hc.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}

// BenchmarkNotificationEncoding is what the gateway does per newHeads
// subscriber and head before writing: put the notification together from
// bytes (json.Marshal of a struct, as before, for comparison).
func BenchmarkNotificationEncoding(b *testing.B) {
	header := blockJSON(0)
	id := "0x" + strings.Repeat("ab", 16)
	b.Run("json.Marshal", func(b *testing.B) {
		type params struct {
			Subscription string          `json:"subscription"`
			Result       json.RawMessage `json:"result"`
		}
		n := struct {
			JSONRPC string `json:"jsonrpc"`
			Method  string `json:"method"`
			Params  params `json:"params"`
		}{"2.0", "eth_subscription", params{id, header}}
		b.SetBytes(int64(len(header)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("frame", func(b *testing.B) { // what a subscriber's delivery costs: the event's bytes shared
		head := []byte(notificationHead + id + notificationMid)
		b.SetBytes(int64(len(header)))
		b.ReportAllocs()
		for b.Loop() {
			_ = buffers([]frame{{op: opText, parts: [][]byte{head, header, notificationTail}}})
		}
	})
}

// BenchmarkCachedAnswer is one HTTP request answered from the cache, as
// bench/gateway/run's cached case sends it: the gateway's handler alone,
// without the connection net/http reads it from.
func BenchmarkCachedAnswer(b *testing.B) {
	n := &countingNode{}
	s := countingServer(b, Config{CacheBytes: 1 << 20}, n, 100)
	body := []byte(`{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x64",false]}`)
	w := &discardWriter{}
	send := func() {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.RemoteAddr = "127.0.0.1:4242"
		w.h = http.Header{}
		s.ServeHTTP(w, r)
	}
	send()
	b.ReportAllocs()
	for b.Loop() {
		send()
	}
	if got := n.calls.Load(); got != 1 {
		b.Fatalf("%d calls reached the node, want 1", got)
	}
}
