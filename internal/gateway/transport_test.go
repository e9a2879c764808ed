package gateway

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTransport(t *testing.T) {
	good := upstream(t, "good", serveNode(t, 5), true)
	r := newTestRouter(t, []*Upstream{good})
	newServer := func(origins []string) *Server {
		s, err := NewServer(Config{MaxBatch: 100, MaxBodyBytes: 1 << 20, RequestTimeout: 5e9, CORSOrigins: origins}, r, nil, newRegistry())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	withCORS := httptest.NewServer(newServer([]string{"https://app.example"}).Handler())
	defer withCORS.Close()
	noCORS := httptest.NewServer(newServer(nil).Handler())
	defer noCORS.Close()
	// A batch big enough to be worth compressing.
	batch := "[" + strings.TrimSuffix(strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},`, 50), ",") + "]"

	t.Run("gzip when accepted", func(t *testing.T) {
		req, _ := http.NewRequest("POST", noCORS.URL, strings.NewReader(batch))
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(zr)
		if strings.Count(string(body), `"result":"0x5"`) != 50 {
			t.Errorf("decompressed body %.100s", body)
		}
	})
	t.Run("plain without Accept-Encoding", func(t *testing.T) {
		req, _ := http.NewRequest("POST", noCORS.URL, strings.NewReader(batch))
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
		}
	})

	preflight := func(url, origin string) http.Header {
		req, _ := http.NewRequest("OPTIONS", url, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	tests := []struct {
		name, url, origin, want string
	}{
		{"allowed origin", withCORS.URL, "https://app.example", "https://app.example"},
		{"other origin", withCORS.URL, "https://evil.example", ""},
		{"no CORS configured", noCORS.URL, "https://app.example", ""},
	}
	for _, tt := range tests {
		if got := preflight(tt.url, tt.origin).Get("Access-Control-Allow-Origin"); got != tt.want {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", tt.name, got, tt.want)
		}
	}
}
