package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/devnet"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// TestGatewayCommand serves real nodes, started here as a devnet, through
// `ethfleet gateway --config`.
func TestGatewayCommand(t *testing.T) {
	_, nodes := startDevnet(t)
	tests := []struct {
		name      string
		chainID   int
		ready     int
		readyText string
		answer    string
	}{
		{"right chain", 1337, 200, "2 of 2 nodes fit", `"result":"0x539"`},
		{"wrong chain", 5, 503, "0 of 2 nodes fit", `"code":-32002`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "ethfleet.yaml")
			os.WriteFile(file, []byte(fmt.Sprintf("network:\n  name: devnet\n  chainId: %d\ngateway:\n  listen: 127.0.0.1:0\nops:\n  listen: 127.0.0.1:0\nnodes:\n%s", tt.chainID, nodes)), 0o600)
			r := start(t, "gateway", "--config", file, "--status-every", "100ms")
			await.True(t, 30*time.Second, "the probes' first look", func() bool {
				code, body := fleettest.Get(t, r.ops+"/ready")
				return code == tt.ready && strings.Contains(body, tt.readyText)
			})
			resp, err := http.Post(r.rpc, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(body), tt.answer) {
				t.Errorf("eth_chainId = %s, want %s", body, tt.answer)
			}
			if _, status := fleettest.Get(t, r.ops+"/status"); !strings.Contains(status, `"name": "follower-1"`) {
				t.Errorf("/status does not name the configured nodes: %.300s", status)
			}
		})
	}
}

func TestGatewayCommandNeedsNodes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ethfleet.yaml")
	os.WriteFile(file, []byte("network:\n  name: devnet\n"), 0o600)
	if _, err := run(t.Context(), "gateway", "--config", file); err == nil || !strings.Contains(err.Error(), "lists no nodes") {
		t.Fatalf("err = %v", err)
	}
}

// startDevnet starts a producer and one follower, and returns them as the
// nodes section of a fleet description.
func startDevnet(t *testing.T) (*devnet.Devnet, string) {
	t.Helper()
	d := devnet.New(devnet.Config{DataDir: t.TempDir(), Followers: 1, BlockTime: 500 * time.Millisecond, NoLogIndex: true})
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	nodes := ""
	for _, n := range d.Nodes() {
		nodes += fmt.Sprintf("  - name: %s\n    rpc: %s\n    ws: %s\n    dataDir: %s\n", n.Name(), n.HTTPURL(), n.WSURL(), n.DataDir())
	}
	return d, nodes
}
