package fleet_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
	"github.com/ethfleet/ethfleet/internal/gateway"
)

func TestOpsServer(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := fleettest.Start(t, fleettest.Options{Followers: 2, Registry: reg})
	// One call through the gateway, so its counters exist.
	resp, err := http.Post(f.GatewayURL(), "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if code, body := fleettest.Get(t, f.OpsURL()+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d %s", code, body)
	}
	await.True(t, 30*time.Second, "/ready with every node fit", func() bool {
		code, body := fleettest.Get(t, f.OpsURL()+"/ready")
		return code == 200 && strings.Contains(body, "3 of 3 nodes fit")
	})
	var v gateway.View
	var body string
	await.True(t, 30*time.Second, "/status with every node fit", func() bool {
		var code int
		code, body = fleettest.Get(t, f.OpsURL()+"/status")
		if code != 200 || json.Unmarshal([]byte(body), &v) != nil || v.Fit != 3 {
			return false
		}
		for _, u := range v.Upstreams {
			if u.Head.Number == 0 { // a follower still at genesis, fit within maxLag
				return false
			}
		}
		return true
	})
	if len(v.Upstreams) != 3 || v.Head == 0 {
		t.Errorf("/status: fit %d of %d, head %d", v.Fit, len(v.Upstreams), v.Head)
	}
	for i, name := range []string{"producer", "follower-1", "follower-2"} {
		u := v.Upstreams[i]
		if u.Name != name || !u.Fit || u.Head.Number == 0 || u.ClientVersion == "" || !u.Pushed {
			t.Errorf("/status node %d = %+v", i, u)
		}
	}
	for _, key := range []string{`"latencyMs"`, `"lag"`, `"peers"`, `"syncing"`} {
		if !strings.Contains(body, key) {
			t.Errorf("/status lacks %s", key)
		}
	}

	wants := []string{
		"ethfleet_fleet_head_block ",
		`ethfleet_upstream_fit{upstream="follower-2"} 1`,
		`ethfleet_gateway_calls_total{method="eth_chainId",result="ok"} 1`,
		"ethfleet_gateway_request_duration_seconds_bucket",
		`ethfleet_gateway_upstream_duration_seconds_bucket{upstream=`,
	}
	// Fitness may flicker on a loaded machine: wait for a scrape with all.
	await.True(t, 30*time.Second, "/metrics with every gateway metric", func() bool {
		code, body := fleettest.Get(t, f.OpsURL()+"/metrics")
		for _, want := range wants {
			if code != 200 || !strings.Contains(body, want) {
				return false
			}
		}
		return true
	})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "ethfleet_") {
			t.Errorf("metric %s is not prefixed ethfleet_", mf.GetName())
		}
	}
}

// TestFailedStartUnwinds starts a fleet whose gateway cannot listen: Start
// fails, and what it had started is stopped, so a second fleet can open the
// same data directory.
func TestFailedStartUnwinds(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dir := t.TempDir()
	f := fleettest.NewWithGatewayListen(t, fleettest.Options{Followers: 1, DataDir: dir}, taken.Addr().String())
	err = f.Start()
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("Start = %v, want address in use", err)
	}
	fleettest.Start(t, fleettest.Options{Followers: 1, DataDir: dir})
}

// TestCloseWithIdleClient stops a fleet while a client holds a gateway
// connection open without sending a request, as a client's connection pool
// can: Close waits out its grace period, closes the connection, and
// succeeds.
func TestCloseWithIdleClient(t *testing.T) {
	f := fleettest.New(t, fleettest.Options{})
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.GatewayURL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := f.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
