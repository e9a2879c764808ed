package gateway

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHTTPConnKeepsSecrets sends a URL's user info as basic auth and its
// path as given, and never quotes either in an error.
func TestHTTPConnKeepsSecrets(t *testing.T) {
	var gotAuth, gotPath string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotPath = r.Header.Get("Authorization"), r.URL.Path
		w.Write([]byte(`{"jsonrpc":"2.0","id":0,"result":"0x1"}`))
	}))
	defer hs.Close()
	c, err := HTTPConn(strings.Replace(hs.URL, "http://", "http://user:s3cret@", 1)+"/v3/KEY123", nil)
	if err != nil {
		t.Fatal(err)
	}
	results, _, err := c.send(context.Background(), []*request{{Method: "eth_chainId"}})
	if err != nil || string(results[0]) != `"0x1"` {
		t.Fatalf("send: %s %v", results, err)
	}
	if gotAuth != "Basic dXNlcjpzM2NyZXQ=" || gotPath != "/v3/KEY123" {
		t.Errorf("upstream got auth %q path %q", gotAuth, gotPath)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://user:s3cret@" + l.Addr().String() + "/v3/KEY123"
	l.Close()
	c, err = HTTPConn(dead, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.send(context.Background(), []*request{{Method: "eth_chainId"}})
	if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "KEY123") {
		t.Fatalf("error %v: want a failure that quotes no secret", err)
	}
}
