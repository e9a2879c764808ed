package gateway_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/fleet"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// TestKillNodeUnderLoad serves a devnet's nodes through proxies, runs 20s
// of mixed reads through the gateway, and kills one node hard 5s in: its
// connections are reset mid-response and new ones refused. No request may
// fail.
func TestKillNodeUnderLoad(t *testing.T) {
	d := devnet.New(devnet.Config{DataDir: t.TempDir(), Followers: 2, BlockTime: 500 * time.Millisecond, TxPerBlock: 2, NoLogIndex: true})
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	cfg := config.Default()
	cfg.Gateway.Listen, cfg.Ops.Listen = "127.0.0.1:0", "127.0.0.1:0"
	var proxies []*fleettest.Proxy
	for _, n := range d.Nodes() {
		p := fleettest.NewProxy(t, strings.TrimPrefix(n.HTTPURL(), "http://"))
		proxies = append(proxies, p)
		cfg.Nodes = append(cfg.Nodes, config.Node{Name: n.Name(), RPC: config.NewSecret("http://" + p.Addr()), WS: config.NewSecret("ws://" + p.Addr())})
	}
	f := fleet.New(fleet.Options{Config: cfg, ProbeInterval: 200 * time.Millisecond})
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fleettest.AwaitFit(t, f, 3)
	await.True(t, 60*time.Second, "a few blocks", func() bool { return f.View().Head >= 8 })

	const duration, killAt, workers = 20 * time.Second, 5 * time.Second, 4
	start := time.Now()
	var killOnce sync.Once
	var lastHead [workers]uint64 // eth_blockNumber seen by each worker
	client := &http.Client{Timeout: 15 * time.Second}
	total, failed := hammer(t, workers, func(int64) bool { return time.Since(start) < duration }, func(w int, i int64) error {
		if time.Since(start) > killAt {
			killOnce.Do(proxies[1].Cut)
		}
		// Blocks maxLag (2) below the head are on every node, so every
		// request has every node to fail over to.
		body, check := mixedRead(int(i), f.View().Head-2)
		if i%6 == 0 {
			check = func(r json.RawMessage) error { return notBackwards(r, &lastHead[w]) }
		}
		return postCheck(client, f.GatewayURL(), body, check)
	})
	t.Logf("%d requests, %d failed", total, failed)
	if failed != 0 {
		t.Fatalf("%d of %d requests failed", failed, total)
	}
	for _, u := range f.View().Upstreams {
		if u.Name == "follower-1" && u.Fit {
			t.Error("the killed node is still judged fit")
		}
	}
}

// mixedRead returns the i-th request of the mix and a check of its answer.
func mixedRead(i int, safe uint64) (string, func(json.RawMessage) error) {
	notNull := func(r json.RawMessage) error {
		if string(r) == "null" {
			return fmt.Errorf("null result")
		}
		return nil
	}
	switch i % 6 {
	case 0:
		return `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`, notNull
	case 1:
		n := 1 + uint64(i)%safe
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x%x",false]}`, n), notNull
	case 2:
		return `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x0000000000000000000000000000000000000001","latest"]}`, notNull
	case 3:
		return `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":"0x0000000000000000000000000000000000000004","data":"0x1234"},"latest"]}`, func(r json.RawMessage) error {
			if string(r) != `"0x1234"` {
				return fmt.Errorf("identity precompile returned %s", r)
			}
			return nil
		}
	case 4:
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"fromBlock":"0x%x","toBlock":"0x%x"}]}`, safe-3, safe), notNull
	default:
		return `[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"eth_getBlockByNumber","params":["0x1",false]}]`, nil
	}
}

// postCheck sends body and fails on a transport error, an error answer or
// a result check cannot accept.
func postCheck(c *http.Client, url, body string, check func(json.RawMessage) error) error {
	resp, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	type answer struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	var answers []answer
	if strings.HasPrefix(body, "[") {
		err = json.NewDecoder(resp.Body).Decode(&answers)
	} else {
		var a answer
		err = json.NewDecoder(resp.Body).Decode(&a)
		answers = []answer{a}
	}
	if err != nil {
		return fmt.Errorf("status %d: %w", resp.StatusCode, err)
	}
	for _, a := range answers {
		if a.Error != nil {
			return fmt.Errorf("error %d: %s", a.Error.Code, a.Error.Message)
		}
		if check != nil {
			if err := check(a.Result); err != nil {
				return err
			}
		}
	}
	return nil
}

// notBackwards checks an eth_blockNumber answer against the last one seen.
func notBackwards(r json.RawMessage, last *uint64) error {
	var s string
	var n uint64
	if err := json.Unmarshal(r, &s); err != nil {
		return err
	}
	if _, err := fmt.Sscanf(s, "0x%x", &n); err != nil {
		return err
	}
	if n < *last {
		return fmt.Errorf("eth_blockNumber went back from %d to %d", *last, n)
	}
	*last = n
	return nil
}
