package ops

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestEndpoints(t *testing.T) {
	ready := false
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "ethfleet_test_total", Help: "a test counter"})
	reg.MustRegister(c)
	c.Inc()
	srv := httptest.NewServer(Handler(Config{
		Ready: func() (bool, string) {
			if ready {
				return true, "3 of 3 nodes fit"
			}
			return false, "no fit node"
		},
		Status:   func() any { return map[string]int{"head": 42} },
		Gatherer: reg,
	}))
	defer srv.Close()

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	tests := []struct {
		name, path string
		before     func()
		code       int
		contains   string
	}{
		{"healthz", "/healthz", nil, 200, "ok"},
		{"not ready", "/ready", nil, 503, "not ready: no fit node"},
		{"ready", "/ready", func() { ready = true }, 200, "ready: 3 of 3 nodes fit"},
		{"status", "/status", nil, 200, `"head": 42`},
		{"metrics", "/metrics", nil, 200, "ethfleet_test_total 1"},
		{"unknown", "/nope", nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			code, body := get(tt.path)
			if code != tt.code || !strings.Contains(body, tt.contains) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tt.path, code, body, tt.code, tt.contains)
			}
		})
	}
}

func TestAgentEndpoints(t *testing.T) {
	healthy := true
	var since int64 = -1
	srv := httptest.NewServer(Handler(Config{
		Healthy:  func() (bool, string) { return healthy, "execution client answers" },
		Ready:    func() (bool, string) { return true, "" },
		Status:   func() any { return nil },
		Nodes:    func() any { return []string{"geth-1"} },
		History:  func(s int64) any { since = s; return map[string]int{"points": 1} },
		Gatherer: prometheus.NewRegistry(),
	}))
	defer srv.Close()
	tests := []struct {
		name, path string
		before     func()
		code       int
		contains   string
	}{
		{"healthy", "/healthz", nil, 200, "ok: execution client answers"},
		{"unhealthy", "/healthz", func() { healthy = false }, 503, "unhealthy: execution client answers"},
		{"nodes", "/api/nodes", nil, 200, `"geth-1"`},
		{"history", "/api/history?since=1700000000000", nil, 200, `"points": 1`},
		{"history from the start", "/api/history", nil, 200, `"points": 1`},
		{"history, bad since", "/api/history?since=today", nil, 400, "Unix milliseconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code || !strings.Contains(string(body), tt.contains) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tt.path, resp.StatusCode, body, tt.code, tt.contains)
			}
		})
	}
	if since != 0 {
		t.Errorf("since = %d after a request without it", since)
	}
}
