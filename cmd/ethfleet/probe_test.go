package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ready" {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name string
		url  string
		ok   bool
	}{
		{"2xx", srv.URL + "/ready", true},
		{"503", srv.URL + "/other", false},
		{"unreachable", closed.URL + "/ready", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(context.Background(), "probe", tt.url)
			if (err == nil) != tt.ok {
				t.Errorf("probe %s: %v, want ok=%v", tt.url, err, tt.ok)
			}
		})
	}
}
