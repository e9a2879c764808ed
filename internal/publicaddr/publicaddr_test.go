package publicaddr

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestPublic(t *testing.T) {
	tests := []struct {
		name     string
		ec2, gce func(t *testing.T) string // base URLs
		want     Address
		wantErr  []string // parts of the error, when one is expected
	}{
		{
			name: "EC2 answers",
			ec2:  func(t *testing.T) string { return newFakeEC2(t, "203.0.113.7", "10.0.1.5").url },
			gce:  closedURL,
			want: Address{IP: netip.MustParseAddr("203.0.113.7"), Source: EC2},
		},
		{
			name: "not on EC2, GCE answers",
			ec2:  closedURL,
			gce:  func(t *testing.T) string { return newFakeGCE(t, "198.51.100.2", "10.128.0.3").url },
			want: Address{IP: netip.MustParseAddr("198.51.100.2"), Source: GCE},
		},
		{
			name:    "EC2 instance without a public IPv4, not on GCE",
			ec2:     func(t *testing.T) string { return newFakeEC2(t, "", "10.0.1.5").url },
			gce:     closedURL,
			wantErr: []string{"no public address: EC2 gave none (GET ", "/latest/meta-data/public-ipv4: 404 Not Found), not on GCE (", "), none configured"},
		},
		{
			name:    "off-cloud",
			ec2:     closedURL,
			gce:     closedURL,
			wantErr: []string{"no public address: not on EC2 (Put ", "/latest/api/token", "connection refused), not on GCE (Get ", "/external-ip", "), none configured"},
		},
		{
			name: "an answer without Metadata-Flavor is not GCE",
			ec2:  closedURL,
			gce: func(t *testing.T) string {
				return server(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("192.0.2.1")) })
			},
			wantErr: []string{"not on GCE (GET ", "answer without Metadata-Flavor: Google)"},
		},
		{
			name:    "not an address",
			ec2:     func(t *testing.T) string { return newFakeEC2(t, "<html>captive portal</html>", "").url },
			gce:     closedURL,
			wantErr: []string{"EC2 gave none (GET ", `ParseAddr("<html>captive portal</html>")`},
		},
		{
			name:    "a long answer is not quoted",
			ec2:     func(t *testing.T) string { return newFakeEC2(t, strings.Repeat("x", 1000), "").url },
			gce:     closedURL,
			wantErr: []string{"EC2 gave none (GET ", "public-ipv4: not an address (1000 bytes))"},
		},
		{
			name:    "not IPv4",
			ec2:     func(t *testing.T) string { return newFakeEC2(t, "2001:db8::1", "").url },
			gce:     closedURL,
			wantErr: []string{"2001:db8::1 is not an IPv4 address"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := discoverer(t, tt.ec2(t), tt.gce(t))
			got, err := d.Public(t.Context())
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("Public = %+v, want an error", got)
				}
				t.Log(err)
				if !errors.Is(err, ErrNoAddress) {
					t.Errorf("error %v is not ErrNoAddress", err)
				}
				for _, part := range tt.wantErr {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error %q lacks %q", err, part)
					}
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q is not one line", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Public = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPrivate(t *testing.T) {
	ec2 := newFakeEC2(t, "203.0.113.7", "10.0.1.5")
	got, err := discoverer(t, ec2.url, closedURL(t)).Private(t.Context())
	if err != nil || got != (Address{IP: netip.MustParseAddr("10.0.1.5"), Source: EC2}) {
		t.Errorf("Private on EC2 = %+v, %v", got, err)
	}

	gce := newFakeGCE(t, "", "10.128.0.3")
	got, err = discoverer(t, closedURL(t), gce.url).Private(t.Context())
	if err != nil || got != (Address{IP: netip.MustParseAddr("10.128.0.3"), Source: GCE}) {
		t.Errorf("Private on GCE = %+v, %v", got, err)
	}

	_, err = discoverer(t, closedURL(t), closedURL(t)).Private(t.Context())
	if err == nil || !strings.HasPrefix(err.Error(), "no private address: not on EC2 (") {
		t.Errorf("Private off-cloud = %v", err)
	}
}

func TestConfiguredWins(t *testing.T) {
	untouched := func(t *testing.T) string {
		return server(t, func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("metadata asked (%s %s) although the address is configured", r.Method, r.URL)
		})
	}
	d := discoverer(t, untouched(t), untouched(t))
	d.PublicIP = netip.MustParseAddr("192.0.2.10")
	d.PrivateIP = netip.MustParseAddr("10.9.8.7")
	if got, err := d.Public(t.Context()); err != nil || got != (Address{IP: d.PublicIP, Source: Configured}) {
		t.Errorf("Public = %+v, %v", got, err)
	}
	if got, err := d.Private(t.Context()); err != nil || got != (Address{IP: d.PrivateIP, Source: Configured}) {
		t.Errorf("Private = %+v, %v", got, err)
	}
}

// A metadata address that accepts connections but never answers costs one
// Timeout, then the next source is asked.
func TestTimeout(t *testing.T) {
	hang := server(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	gce := newFakeGCE(t, "198.51.100.2", "")
	d := discoverer(t, hang, gce.url)
	d.Timeout = 100 * time.Millisecond
	begin := time.Now()
	got, err := d.Public(t.Context())
	if err != nil || got.Source != GCE {
		t.Fatalf("Public = %+v, %v; want GCE's", got, err)
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("took %s with a 100ms timeout", took)
	}

	d = discoverer(t, hang, hang)
	d.Timeout = 100 * time.Millisecond
	_, err = d.Public(t.Context())
	if err == nil || !strings.Contains(err.Error(), "not on EC2 (") || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("Public = %v, want EC2 and GCE timed out", err)
	}
}

// A cancelled context ends the search without asking further sources.
func TestCancelled(t *testing.T) {
	gce := newFakeGCE(t, "198.51.100.2", "")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := discoverer(t, closedURL(t), gce.url).Public(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Public = %v, want context.Canceled", err)
	}
	if n := gce.requests.Load(); n != 0 {
		t.Errorf("GCE asked %d times after the cancel", n)
	}
}

// The fakes enforce what the real services do, so the tests above prove
// the client sends it.
func TestFakesEnforce(t *testing.T) {
	ec2 := newFakeEC2(t, "203.0.113.7", "10.0.1.5")
	gce := newFakeGCE(t, "198.51.100.2", "10.128.0.3")
	tests := []struct {
		name   string
		method string
		url    string
		header http.Header
		want   int
	}{
		{"IMDSv2 token", http.MethodPut, ec2.url + "/latest/api/token", http.Header{"X-aws-ec2-metadata-token-ttl-seconds": {"60"}}, 200},
		{"token without TTL", http.MethodPut, ec2.url + "/latest/api/token", nil, 400},
		{"token TTL too long", http.MethodPut, ec2.url + "/latest/api/token", http.Header{"X-aws-ec2-metadata-token-ttl-seconds": {"21601"}}, 400},
		{"token by GET", http.MethodGet, ec2.url + "/latest/api/token", http.Header{"X-aws-ec2-metadata-token-ttl-seconds": {"60"}}, 405},
		{"IMDSv1 GET", http.MethodGet, ec2.url + "/latest/meta-data/public-ipv4", nil, 401},
		{"wrong token", http.MethodGet, ec2.url + "/latest/meta-data/public-ipv4", http.Header{"X-aws-ec2-metadata-token": {"forged"}}, 401},
		{"GCE with flavor", http.MethodGet, gce.url + gcePublicPath, http.Header{"Metadata-Flavor": {"Google"}}, 200},
		{"GCE without flavor", http.MethodGet, gce.url + gcePublicPath, nil, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.url, resp.StatusCode, tt.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	var d Discoverer
	if d.timeout() != time.Second || d.client() != defaultClient {
		t.Errorf("zero Discoverer: timeout %s, client %p", d.timeout(), d.client())
	}
	if DefaultEC2URL != "http://169.254.169.254" || DefaultGCEURL != "http://metadata.google.internal" {
		t.Errorf("defaults %s, %s", DefaultEC2URL, DefaultGCEURL)
	}
	if tr := defaultClient.Transport.(*http.Transport); tr.Proxy != nil {
		t.Error("the default client would use a proxy")
	}
}
