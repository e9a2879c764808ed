package gateway_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// BenchmarkThroughput compares calls through the gateway with the same
// calls sent straight to the node behind it. The fleet has one node, and
// the gateway's cache and in-flight merging are off, so the difference is
// the cost of proxying. bench/gateway prints the ratio.
func BenchmarkThroughput(b *testing.B) {
	f := fleettest.Start(b, fleettest.Options{Followers: 0, Configure: func(c *config.Config) {
		off, noMerge := int64(0), false
		c.Gateway.Cache.MaxBytes = &off
		c.Gateway.MergeInFlight = &noMerge
	}})
	targets := []struct{ name, url string }{
		{"direct", f.Devnet().Producer().HTTPURL()},
		{"gateway", f.GatewayURL()},
	}
	await.True(b, 60*time.Second, "8 blocks", func() bool { return f.View().Head >= 8 })
	block := func(i int, full bool) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_getBlockByNumber","params":["0x%x",%v]}`, i, 1+i%8, full)
	}
	calls := []struct {
		name string
		body func(i int) string // the i-th request: params vary
	}{
		{"blockNumber", func(i int) string { return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_blockNumber"}`, i) }},
		{"getBlockByNumber", func(i int) string { return block(i, true) }},
		{"batch10", func(i int) string {
			var parts []string
			for j := 0; j < 10; j++ {
				parts = append(parts, block(i*10+j, false))
			}
			return "[" + strings.Join(parts, ",") + "]"
		}},
	}
	for _, c := range calls {
		for _, target := range targets {
			b.Run(fmt.Sprintf("%s/%s", c.name, target.name), func(b *testing.B) {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
				b.RunParallel(func(pb *testing.PB) {
					for i := 0; pb.Next(); i++ {
						resp, err := client.Post(target.url, "application/json", strings.NewReader(c.body(i)))
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
