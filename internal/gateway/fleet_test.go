package gateway_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// exchange is one request of a transcript and the answer expected.
type exchange struct {
	comment, request, response string
}

// readTranscript parses "--> request" / "<-- response" pairs, in the manner
// of go-ethereum's rpc/testdata. A request without a response expects an
// empty body.
func readTranscript(t *testing.T, path string) []exchange {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []exchange
	var comment string
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		switch {
		case strings.HasPrefix(line, "// "):
			comment = strings.TrimPrefix(line, "// ")
		case strings.HasPrefix(line, "--> "):
			out = append(out, exchange{comment: comment, request: strings.TrimPrefix(line, "--> ")})
		case strings.HasPrefix(line, "<-- "):
			out[len(out)-1].response = strings.TrimPrefix(line, "<-- ")
		case strings.TrimSpace(line) == "":
		default:
			t.Fatalf("%s: unexpected line %q", path, line)
		}
	}
	return out
}

func post(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func canonical(t *testing.T, s string) string {
	t.Helper()
	if s == "" {
		return ""
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %s", s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestTranscripts(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 1})
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, file := range files {
		for _, ex := range readTranscript(t, file) {
			t.Run(filepath.Base(file)+"/"+ex.comment, func(t *testing.T) {
				got := post(t, f.GatewayURL(), ex.request)
				if canonical(t, got) != canonical(t, ex.response) {
					t.Errorf("--> %s\n<-- %s\nwant %s", ex.request, got, ex.response)
				}
			})
		}
	}
}

type rpcAnswer struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func hexToUint(t *testing.T, raw json.RawMessage) uint64 {
	t.Helper()
	var s string
	var n uint64
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("not a quantity: %s", raw)
	}
	if _, err := fmt.Sscanf(s, "0x%x", &n); err != nil {
		t.Fatalf("not a quantity: %s", s)
	}
	return n
}

func TestBlockNumberIsFleetHead(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 2})
	for i := 0; i < 5; i++ {
		before := f.View().Head
		var a rpcAnswer
		if err := json.Unmarshal([]byte(post(t, f.GatewayURL(), `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`)), &a); err != nil || a.Error != nil {
			t.Fatalf("eth_blockNumber: %v %+v", err, a.Error)
		}
		after := f.View().Head
		var newest uint64 // what the nodes have, which their probes may not have told yet
		for _, n := range f.Devnet().Nodes() {
			newest = max(newest, n.Head())
		}
		// Every fit node is within maxLag (2) of the fleet head.
		if got := hexToUint(t, a.Result); got+2 < before || got > max(after, newest) {
			t.Errorf("eth_blockNumber = %d, fleet head went %d..%d, newest node head %d", got, before, after, newest)
		}
	}
}

func TestBatchOfTenInOrder(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 2})
	calls := []string{
		`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`,
		`{"jsonrpc":"2.0","id":"two","method":"net_version"}`,
		`{"jsonrpc":"2.0","id":3,"method":"eth_getBlockByNumber","params":["0x1",false]}`,
		`{"jsonrpc":"2.0","id":4,"method":"eth_blockNumber"}`,
		`{"jsonrpc":"2.0","id":5,"method":"no_such"}`,
		`{"jsonrpc":"2.0","id":6,"method":"eth_getBalance","params":["0x0000000000000000000000000000000000000001","latest"]}`,
		`{"jsonrpc":"2.0","id":7,"method":"web3_clientVersion"}`,
		`{"jsonrpc":"2.0","id":8,"method":"eth_getBlockTransactionCountByNumber","params":["0x0"]}`,
		`{"jsonrpc":"2.0","id":9,"method":"eth_gasPrice"}`,
		`{"jsonrpc":"2.0","id":"ten","method":"eth_getCode","params":["0x0000000000000000000000000000000000000001","latest"]}`,
	}
	var answers []rpcAnswer
	body := post(t, f.GatewayURL(), "["+strings.Join(calls, ",")+"]")
	if err := json.Unmarshal([]byte(body), &answers); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(answers) != 10 {
		t.Fatalf("%d answers", len(answers))
	}
	wantIDs := []string{`1`, `"two"`, `3`, `4`, `5`, `6`, `7`, `8`, `9`, `"ten"`}
	for i, a := range answers {
		if string(a.ID) != wantIDs[i] {
			t.Errorf("answer %d has id %s, want %s", i, a.ID, wantIDs[i])
		}
		if (a.Error != nil) != (i == 4) {
			t.Errorf("answer %d: error %+v", i, a.Error)
		}
	}
	checks := map[int]string{0: `"0x539"`, 1: `"1337"`, 5: `"0x1"`, 7: `"0x0"`, 9: `"0x"`}
	for i, want := range checks {
		if string(answers[i].Result) != want {
			t.Errorf("answer %d = %s, want %s", i, answers[i].Result, want)
		}
	}
	if !bytes.Contains(answers[2].Result, []byte(`"number":"0x1"`)) {
		t.Errorf("block 1 = %.80s", answers[2].Result)
	}
}

// TestFailover stops a follower in the middle of 500 requests; none fails.
func TestFailover(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 2})
	await.True(t, 60*time.Second, "a few blocks", func() bool { return f.View().Head >= 7 })
	// Blocks maxLag (2) below the head are on every node, so every request
	// has every node to fail over to.
	top := f.View().Head - 2

	const total = 500
	var stopOnce sync.Once
	client := &http.Client{Timeout: 10 * time.Second}
	sent, failed := hammer(t, 4, func(i int64) bool { return i < total }, func(_ int, i int64) error {
		if i == total/5 {
			stopOnce.Do(func() {
				if err := f.Devnet().StopNode("follower-1"); err != nil {
					t.Error(err)
				}
			})
		}
		return getBlock(client, f.GatewayURL(), 1+uint64(i)%top)
	})
	if failed != 0 {
		t.Fatalf("%d of %d requests failed", failed, sent)
	}
	await.True(t, 10*time.Second, "follower-1 judged unfit", func() bool {
		for _, u := range f.View().Upstreams {
			if u.Name == "follower-1" {
				return !u.Fit
			}
		}
		return false
	})
}

func getBlock(c *http.Client, url string, n uint64) error {
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_getBlockByNumber","params":["0x%x",false]}`, n, n)
	resp, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var a struct {
		Result *struct {
			Number string `json:"number"`
		} `json:"result"`
		Error *struct{ Message string } `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return err
	}
	switch {
	case a.Error != nil:
		return fmt.Errorf("error answer: %s", a.Error.Message)
	case a.Result == nil:
		return fmt.Errorf("null block")
	case a.Result.Number != fmt.Sprintf("0x%x", n):
		return fmt.Errorf("got block %s", a.Result.Number)
	}
	return nil
}

// hammer calls do from workers goroutines, with i = 0, 1, 2, ... shared
// among them, while more(i) holds. It reports each failure and returns how
// many calls were made and how many failed.
func hammer(t *testing.T, workers int, more func(i int64) bool, do func(worker int, i int64) error) (total, failed int64) {
	t.Helper()
	var next, failures atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if !more(i) {
					return
				}
				if err := do(w, i); err != nil {
					failures.Add(1)
					t.Errorf("call %d: %v", i, err)
				}
			}
		}()
	}
	wg.Wait()
	// Each worker took one i more than it used: the one more refused.
	return next.Load() - int64(workers), failures.Load()
}
