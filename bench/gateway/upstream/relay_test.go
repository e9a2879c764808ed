package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRelayPassesRequestsThrough sends keep-alive HTTP requests through the
// relay and gets the server's answers back, byte for byte.
func TestRelayPassesRequestsThrough(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Write(append([]byte("echo "), body...))
	}))
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- relayFrom(ctx, ln, strings.TrimPrefix(srv.URL, "http://")) }()

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	for _, body := range []string{"one", strings.Repeat("x", 1<<20), "three"} {
		resp, err := client.Post("http://"+ln.Addr().String(), "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(got) != "echo "+body {
			t.Fatalf("answer to a %d-byte body: %d bytes, %v", len(body), len(got), err)
		}
	}
	client.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("relay: %v", err)
	}
}
