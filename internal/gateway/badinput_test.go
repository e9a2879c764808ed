package gateway_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

const (
	goodKey = "test-key-backend-0123456789"
	tinyKey = "test-key-tiny-0123456789"
)

// TestBadInput sends each kind of bad request to a real gateway, checks the
// HTTP status and JSON-RPC error it gets, and checks that the gateway
// serves a good request right after.
func TestBadInput(t *testing.T) {
	f := fleettest.Start(t, fleettest.Options{Followers: 1, Configure: func(c *config.Config) {
		c.Gateway.APIKeys = []config.APIKey{
			{Name: "backend", Key: config.NewSecret(goodKey)},
			{Name: "tiny", Key: config.NewSecret(tinyKey)},
		}
		// Each key's bucket holds 1000 tokens and refills at 10/s; an
		// eth_getLogs costs 600.
		c.Gateway.RateLimit.PerKey = &config.Limit{Rate: 10, Burst: 1000}
		c.Gateway.RateLimit.MethodCost = map[string]int{"eth_getLogs": 600}
		c.Gateway.ReadHeaderTimeout = 300 * time.Millisecond
	}})
	url := f.GatewayURL()
	one := `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`
	tests := []struct {
		name       string
		key, body  string
		wantStatus int
		wantCode   int    // 0: a result
		wantHeader string // a response header that must be set
	}{
		{"malformed JSON", goodKey, `{"jsonrpc":"2.0","id":1,"method":`, 200, -32700, ""},
		{"wrong jsonrpc", goodKey, `{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}`, 200, -32600, ""},
		{"object id", goodKey, `{"jsonrpc":"2.0","id":{"a":1},"method":"eth_chainId"}`, 200, -32600, ""},
		{"array id", goodKey, `{"jsonrpc":"2.0","id":[1],"method":"eth_chainId"}`, 200, -32600, ""},
		{"boolean id", goodKey, `{"jsonrpc":"2.0","id":true,"method":"eth_chainId"}`, 200, -32600, ""},
		{"batch over the limit", goodKey, "[" + strings.TrimSuffix(strings.Repeat(one+",", 101), ",") + "]", 200, -32600, ""},
		{"deep nesting", goodKey, `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, 200, -32600, ""},
		{"body over the limit", goodKey, `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":["` + strings.Repeat("0", 6<<20) + `"]}`, 413, -32600, ""},
		{"denied method", goodKey, `{"jsonrpc":"2.0","id":1,"method":"admin_peers"}`, 200, -32601, ""},
		{"no key", "", one, 401, -32000, "WWW-Authenticate"},
		{"unknown key", "test-key-unknown-0123456789", one, 401, -32000, "WWW-Authenticate"},
		{"within the limit", tinyKey, getLogs(1), 200, 0, ""},
		{"rate limited", tinyKey, getLogs(2), 429, -32005, "Retry-After"},
		{"costs more than a bucket holds", goodKey, "[" + getLogs(3) + "," + getLogs(4) + "]", 429, -32005, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := postKey(t, url, tt.key, tt.body)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d: %.200s", status, tt.wantStatus, body)
			}
			if code := errorCode(t, body); code != tt.wantCode {
				t.Errorf("code %d, want %d: %.200s", code, tt.wantCode, body)
			}
			if tt.wantHeader != "" && header.Get(tt.wantHeader) == "" {
				t.Errorf("no %s header", tt.wantHeader)
			}
			if status, _, body := postKey(t, url, goodKey, one); status != 200 || !strings.Contains(body, `"result":"0x539"`) {
				t.Errorf("not serving afterwards: %d %s", status, body)
			}
		})
	}

	t.Run("rate limited batch", func(t *testing.T) {
		// Each call is refused under its own id, in an array: a WebSocket
		// client has no 429 to go by and waits for every id it sent.
		_, _, body := postKey(t, url, goodKey, "["+getLogs(5)+","+getLogs(6)+"]")
		var answers []struct {
			ID    int
			Error struct{ Code int }
		}
		if err := json.Unmarshal([]byte(body), &answers); err != nil || len(answers) != 2 ||
			answers[0].ID != 5 || answers[1].ID != 6 || answers[1].Error.Code != -32005 {
			t.Errorf("answer %s, want an array of two -32005 errors with ids 5 and 6", body)
		}
	})

	t.Run("headers sent too slowly", func(t *testing.T) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n") // and never the rest
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		start := time.Now()
		_, err = bufio.NewReader(conn).ReadString('\n')
		if err == nil || time.Since(start) > 5*time.Second {
			t.Errorf("slow client kept its connection for %s (err %v)", time.Since(start), err)
		}
		if status, _, _ := postKey(t, url, goodKey, one); status != 200 {
			t.Errorf("not serving afterwards: %d", status)
		}
	})
}

func getLogs(id int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_getLogs","params":[{"fromBlock":"0x0","toBlock":"0x0"}]}`, id)
}

func postKey(t *testing.T, url, key, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(out)
}

// errorCode returns the JSON-RPC error code of a single answer, or of the
// first answer of a batch; 0 for a result.
func errorCode(t *testing.T, body string) int {
	t.Helper()
	var a struct {
		Error *struct{ Code int } `json:"error"`
	}
	b := strings.TrimSpace(body)
	if strings.HasPrefix(b, "[") {
		var list []json.RawMessage
		if err := json.Unmarshal([]byte(b), &list); err != nil || len(list) == 0 {
			t.Fatalf("bad batch answer %.200s", b)
		}
		b = string(list[0])
	}
	if err := json.Unmarshal([]byte(b), &a); err != nil {
		t.Fatalf("not JSON: %.200s", b)
	}
	if a.Error == nil {
		return 0
	}
	return a.Error.Code
}
