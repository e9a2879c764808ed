package gateway_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// BenchmarkThroughput compares calls through the gateway with the same
// calls sent straight to the node behind it. The fleet has one node, so the
// difference is the gateway's own cost. bench/gateway prints the ratio.
func BenchmarkThroughput(b *testing.B) {
	f := fleettest.Start(b, fleettest.Options{Followers: 0})
	targets := []struct{ name, url string }{
		{"direct", f.Devnet().Producer().HTTPURL()},
		{"gateway", f.GatewayURL()},
	}
	calls := []struct{ name, body string }{
		{"blockNumber", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`},
		{"getBlockByNumber", `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x1",true]}`},
		{"batch10", "[" + strings.TrimSuffix(strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x1",false]},`, 10), ",") + "]"},
	}
	for _, c := range calls {
		for _, target := range targets {
			b.Run(fmt.Sprintf("%s/%s", c.name, target.name), func(b *testing.B) {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						resp, err := client.Post(target.url, "application/json", strings.NewReader(c.body))
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				})
			})
		}
	}
}
