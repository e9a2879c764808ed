package publicaddr

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// fakeEC2 is an EC2 instance metadata service enforcing IMDSv2, on
// 127.0.0.1. An empty address answers 404, as for an instance without a
// public IPv4.
type fakeEC2 struct {
	public, private string
	token           string
	requests        atomic.Int32
	url             string
}

func newFakeEC2(t *testing.T, public, private string) *fakeEC2 {
	t.Helper()
	f := &fakeEC2{public: public, private: private, token: "AQAEAFake-token=="}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *fakeEC2) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if r.URL.Path == "/latest/api/token" {
		if r.Method != http.MethodPut {
			http.Error(w, "", http.StatusMethodNotAllowed)
			return
		}
		ttl, err := strconv.Atoi(r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds"))
		if err != nil || ttl < 1 || ttl > 21600 {
			http.Error(w, "", http.StatusBadRequest)
			return
		}
		w.Write([]byte(f.token))
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("X-aws-ec2-metadata-token") != f.token {
		http.Error(w, "", http.StatusUnauthorized)
		return
	}
	var addr string
	switch r.URL.Path {
	case "/latest/meta-data/public-ipv4":
		addr = f.public
	case "/latest/meta-data/local-ipv4":
		addr = f.private
	}
	if addr == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte(addr))
}

// fakeGCE is a GCE metadata server on 127.0.0.1. An empty address answers
// 404, as for an instance without an external IP.
type fakeGCE struct {
	public, private string
	requests        atomic.Int32
	url             string
}

func newFakeGCE(t *testing.T, public, private string) *fakeGCE {
	t.Helper()
	f := &fakeGCE{public: public, private: private}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *fakeGCE) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	w.Header().Set("Metadata-Flavor", "Google")
	if r.Header.Get("Metadata-Flavor") != "Google" {
		http.Error(w, "Missing Metadata-Flavor:Google header.", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	var addr string
	switch r.URL.Path {
	case "/computeMetadata/v1/instance/network-interfaces/0/access-configs/0/external-ip":
		addr = f.public
	case "/computeMetadata/v1/instance/network-interfaces/0/ip":
		addr = f.private
	}
	if addr == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/text")
	w.Write([]byte(addr))
}

// closedURL is the URL of a server on 127.0.0.1 that has stopped: a
// connection to it is refused, as a metadata address off-cloud fails.
func closedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

// server is an httptest server on 127.0.0.1 running h.
func server(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// discoverer points at the given metadata URLs only: a test never lets a
// Discoverer fall back to the real metadata addresses.
func discoverer(t *testing.T, ec2URL, gceURL string) *Discoverer {
	t.Helper()
	if ec2URL == "" || gceURL == "" {
		t.Fatal("a test Discoverer needs both metadata URLs")
	}
	return &Discoverer{EC2URL: ec2URL, GCEURL: gceURL, Timeout: 5 * time.Second}
}
