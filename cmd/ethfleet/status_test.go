package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/agent"
)

var statusNow = time.UnixMilli(1_800_000_000_000)

func TestWriteStatus(t *testing.T) {
	ready := agent.Report{Name: "producer", Client: "Geth/v1.17.8-stable-1a2b3c4d/linux-amd64/go1.26.8", Head: 1234,
		Peers: 25, Verdict: agent.Verdict{Ready: true, Lags: []agent.Lag{{Reference: "infura", Reachable: true, Blocks: 1}}},
		Since: statusNow.Add(-3*time.Minute - 7*time.Second).UnixMilli()}
	behind := agent.Report{Name: "follower-1", Client: "Nethermind/v1.25.4+20b10b35/linux-x64/dotnet8.0.2", Head: 1200,
		Peers: 3, Verdict: agent.Verdict{Ready: false, FleetLag: 34, Reasons: []string{"34 blocks behind the fleet's head", "peers 3 < 5"},
			Lags: []agent.Lag{{Reference: "infura", Err: "connection refused"}}},
		Since: statusNow.Add(-26 * time.Hour).UnixMilli()}
	tests := []struct {
		name     string
		reports  []agent.Report
		notReady int
		want     string
	}{
		{"ready", []agent.Report{ready}, 0, `
NODE      CLIENT        HEAD  LAG fleet  LAG infura  PEERS  CHANGED    READY
producer  Geth/v1.17.8  1234  0          1           25     3m07s ago  yes
`},
		{"one not ready", []agent.Report{ready, behind}, 1, `
NODE        CLIENT              HEAD  LAG fleet  LAG infura  PEERS  CHANGED     READY
producer    Geth/v1.17.8        1234  0          1           25     3m07s ago   yes
follower-1  Nethermind/v1.25.4  1200  34         down        3      26h00m ago  no: 34 blocks behind the fleet's head; peers 3 < 5
`},
		{"no references, not judged yet", []agent.Report{{Name: "n", Verdict: agent.Verdict{Reasons: []string{"not judged yet"}}}}, 1, `
NODE  CLIENT  HEAD  LAG fleet  PEERS  CHANGED  READY
n     -       0     0          0      -        no: not judged yet
`},
		{"no nodes", nil, 0, `
NODE  CLIENT  HEAD  LAG fleet  PEERS  CHANGED  READY
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			notReady := writeStatus(&b, tt.reports, statusNow)
			if got, want := b.String(), strings.TrimPrefix(tt.want, "\n"); got != want {
				t.Errorf("table:\n%s\nwant:\n%s", got, want)
			}
			if notReady != tt.notReady {
				t.Errorf("%d not ready, want %d", notReady, tt.notReady)
			}
		})
	}
}

func TestShortClientAndAgo(t *testing.T) {
	clients := map[string]string{
		"Geth/v1.17.8-stable-1a2b3c4d/linux-amd64/go1.26.8": "Geth/v1.17.8",
		"Geth/node-7/v1.14.0-stable/linux-amd64/go1.22":     "Geth/v1.14.0",
		"Geth/linux-amd64/go1.26.8":                         "Geth",
		"Nethermind/v1.25.4+20b10b35/linux-x64/dotnet8.0.2": "Nethermind/v1.25.4",
		"erigon/v2.60.1/linux-amd64/go1.22":                 "erigon/v2.60.1",
		"":                                                  "-",
	}
	for in, want := range clients {
		if got := shortClient(in); got != want {
			t.Errorf("shortClient(%q) = %q, want %q", in, got, want)
		}
	}
	durations := map[time.Duration]string{
		-time.Second:                  "0s",
		42 * time.Second:              "42s",
		3*time.Minute + 7*time.Second: "3m07s",
		5*time.Hour + 2*time.Minute:   "5h02m",
		76 * time.Hour:                "3d04h",
	}
	for in, want := range durations {
		if got := ago(in); got != want {
			t.Errorf("ago(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestStatusCommand runs `ethfleet status` against an ops server that
// answers a fixed /api/nodes, one that fails, and none at all.
func TestStatusCommand(t *testing.T) {
	serve := func(code int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/nodes" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(code)
			fmt.Fprint(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	const readyNode = `{"name":"producer","client":"Geth/v1.17.8-stable/linux-amd64/go1.26.8","head":12,"peers":2,"ready":true,"fleetLag":0,"lags":null,"since":1}`
	const notReadyNode = `{"name":"follower-1","client":"Geth/v1.17.8-stable/linux-amd64/go1.26.8","head":3,"peers":0,"ready":false,"reasons":["peers 0 < 1"],"fleetLag":9,"lags":null,"since":1}`
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name     string
		ops      string
		code     int // the exit status; 0: no error
		out, err string
	}{
		{"all ready", serve(200, "["+readyNode+"]"), 0, "producer  Geth/v1.17.8  12", ""},
		{"one not ready", serve(200, "["+readyNode+","+notReadyNode+"]"), exitNotReady, "no: peers 0 < 1", "1 of 2 nodes not ready"},
		{"no nodes", serve(200, "[]"), exitNotReady, "NODE", "0 of 0 nodes not ready"},
		{"unreachable", closed.URL, exitUnreachable, "", "cannot reach the ops server"},
		{"no /api/nodes", serve(404, "404 page not found"), exitUnreachable, "", "GET /api/nodes: 404 Not Found"},
		{"not JSON", serve(200, "<html>"), exitUnreachable, "", "/api/nodes: invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(context.Background(), "status", "--ops", tt.ops+"/", "--timeout", "10s")
			var exit *exitError
			switch {
			case tt.code == 0 && err != nil:
				t.Fatalf("status: %v", err)
			case tt.code != 0 && (!errors.As(err, &exit) || exit.code != tt.code):
				t.Fatalf("status: error %v, want exit status %d", err, tt.code)
			case tt.code != 0 && !strings.Contains(err.Error(), tt.err):
				t.Errorf("status: error %q, want %q", err, tt.err)
			}
			if !strings.Contains(out, tt.out) {
				t.Errorf("output:\n%s\nwant %q", out, tt.out)
			}
		})
	}
}
