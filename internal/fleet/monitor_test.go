package fleet_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/agent"
	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// TestNodeReadiness reads every node's readiness and lag history from the
// ops server, as the dashboard and `ethfleet status` do.
func TestNodeReadiness(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := fleettest.Start(t, fleettest.Options{Followers: 2, Registry: reg})
	var reports []agent.Report
	await.True(t, 30*time.Second, "3 ready nodes in /api/nodes", func() bool {
		code, body := fleettest.Get(t, f.OpsURL()+"/api/nodes")
		if code != 200 || json.Unmarshal([]byte(body), &reports) != nil || len(reports) != 3 {
			return false
		}
		for _, r := range reports {
			if !r.Ready {
				return false
			}
		}
		return true
	})
	for _, r := range reports {
		if r.Head == 0 || r.Client == "" || r.Disk == nil || r.Disk.FreeBytes == 0 || r.Since == 0 {
			t.Errorf("report %+v", r)
		}
	}
	var history map[string]map[string][]agent.Sample
	await.True(t, 30*time.Second, "lag samples for every node", func() bool {
		code, body := fleettest.Get(t, f.OpsURL()+"/api/history?since=0")
		if code != 200 || json.Unmarshal([]byte(body), &history) != nil || len(history) != 3 {
			return false
		}
		for _, series := range history {
			if len(series[agent.FleetSeries]) < 2 {
				return false
			}
		}
		return true
	})
	if code, body := fleettest.Get(t, f.OpsURL()+"/api/history?since=yesterday"); code != 400 {
		t.Errorf("bad since: %d %s", code, body)
	}
	wants := []string{
		`ethfleet_node_ready{node="follower-1"} 1`,
		`ethfleet_node_head{node="producer"}`,
		`ethfleet_node_lag_blocks{node="follower-2",reference="fleet"}`,
		`ethfleet_node_peers{node="producer"} 2`,
		`ethfleet_node_datadir_free_bytes{node="producer"}`,
	}
	// Readiness may flicker on a loaded machine: wait for a scrape with all.
	await.True(t, 30*time.Second, "/metrics with every node metric", func() bool {
		_, body := fleettest.Get(t, f.OpsURL()+"/metrics")
		for _, want := range wants {
			if !strings.Contains(body, want) {
				return false
			}
		}
		return true
	})
}
