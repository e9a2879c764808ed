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
