package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// TestPoolCommand runs `ethfleet pool` in front of a fake node and reads
// its stats, metrics and EMF lines.
func TestPoolCommand(t *testing.T) {
	node := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		var result any = []string{"0x" + strings.Repeat("11", 32), "0x" + strings.Repeat("00", 32), "0x" + strings.Repeat("00", 4) + strings.Repeat("ff", 28), "0x5"}
		if req.Method == "eth_getBalance" {
			result = "0x10"
		}
		json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}))
	defer node.Close()
	file := filepath.Join(t.TempDir(), "ethfleet.yaml")
	os.WriteFile(file, []byte("network:\n  name: mordor\nmining:\n  node: "+node.URL+"\n  etherbase: \"0x0000000000000000000000000000000000000001\"\n  pool:\n    listen: 127.0.0.1:0\n    stratum: 127.0.0.1:0\n"), 0o600)

	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		cmd := newRootCmd()
		cmd.SetArgs([]string{"pool", "--config", file, "--emf", "--emf-every", "50ms"})
		cmd.SetOut(out)
		cmd.SetErr(out)
		done <- cmd.ExecuteContext(ctx)
	}()
	statsURL := regexp.MustCompile(`stats\s+(http://\S+/stats)`)
	var url string
	await.True(t, 30*time.Second, "the pool's URLs", func() bool {
		if m := statsURL.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		return url != ""
	})
	if code, body := fleettest.Get(t, url); code != 200 || !strings.Contains(body, `"window": "10m0s"`) {
		t.Errorf("/stats = %d %s", code, body)
	}
	await.True(t, 10*time.Second, "an EMF line", func() bool { return strings.Contains(out.String(), `"VerifiedHashrate"`) })
	if !strings.Contains(out.String(), "stratum   stratum+tcp://127.0.0.1:") {
		t.Errorf("output:\n%s", out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("pool: %v\n%s", err, out.String())
	}
}

func TestPoolCommandNeedsANode(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ethfleet.yaml")
	os.WriteFile(file, []byte("network:\n  name: mordor\n"), 0o600)
	if _, err := run(t.Context(), "pool", "--config", file); err == nil || !strings.Contains(err.Error(), "mining.node is required") {
		t.Fatalf("err = %v", err)
	}
}
