package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// TestNothingStaleAcrossReorg reads the newest blocks through the gateway
// (cache on), makes the devnet reorganise, and checks that the replaced
// block is never served again and that newHeads subscribers get the
// replacement.
func TestNothingStaleAcrossReorg(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 2})
	await.True(t, 60*time.Second, "a few blocks", func() bool { return f.View().Head >= 6 })
	ctx := context.Background()
	ws, err := ethclient.Dial(wsURL(f.GatewayURL()))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	heads := make(chan *types.Header, 256)
	sub, err := ws.SubscribeNewHead(ctx, heads)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	client := &http.Client{Timeout: 10 * time.Second}
	head := f.View().Head
	for n := head - 3; n <= head; n++ {
		blockHash(t, client, f.GatewayURL(), n) // what a cache would have kept
	}
	old, replacement, err := f.Devnet().Reorg(2)
	if err != nil {
		t.Fatal(err)
	}
	forkAt := uint64(0)
	await.True(t, 60*time.Second, "every node to adopt the replacement", func() bool {
		for _, n := range f.Devnet().Nodes() {
			c, err := ethclient.Dial(n.HTTPURL())
			if err != nil {
				return false
			}
			h, err := c.HeaderByHash(ctx, replacement)
			c.Close()
			if err != nil {
				return false
			}
			forkAt = h.Number.Uint64()
			if got, _ := nodeHash(n.HTTPURL(), forkAt); got != replacement {
				return false
			}
		}
		return true
	})
	for i := 0; i < 30; i++ {
		if got := blockHash(t, client, f.GatewayURL(), forkAt); got == old {
			t.Fatalf("the gateway served the replaced block %s at %d", old, forkAt)
		}
	}
	timeout := time.After(60 * time.Second)
	for {
		select {
		case h := <-heads:
			if h.Hash() == replacement {
				return
			}
		case err := <-sub.Err():
			t.Fatal(err)
		case <-timeout:
			t.Fatal("newHeads never delivered the replacement head")
		}
	}
}

func blockHash(t *testing.T, c *http.Client, url string, n uint64) common.Hash {
	t.Helper()
	h, err := nodeHashWith(c, url, n)
	if err != nil {
		t.Fatalf("block %d: %v", n, err)
	}
	return h
}

func nodeHash(url string, n uint64) (common.Hash, error) {
	return nodeHashWith(http.DefaultClient, url, n)
}

func nodeHashWith(c *http.Client, url string, n uint64) (common.Hash, error) {
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x%x",false]}`, n)
	resp, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return common.Hash{}, err
	}
	defer resp.Body.Close()
	var a struct {
		Result *struct {
			Hash common.Hash `json:"hash"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return common.Hash{}, err
	}
	if a.Result == nil {
		return common.Hash{}, fmt.Errorf("no block %d", n)
	}
	return a.Result.Hash, nil
}
