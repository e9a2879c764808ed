package dashboard

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	tests := []struct {
		path     string
		code     int
		typ      string
		contains string
	}{
		{"/", 200, "text/html", `<table id="nodes">`},
		{"/app.js", 200, "text/javascript", "api/history?since="},
		{"/chart.js", 200, "text/javascript", "export function drawChart"},
		{"/metrics.js", 200, "text/javascript", "export function quantile"},
		{"/style.css", 200, "text/css", "svg.chart"},
		{"/favicon.svg", 200, "image/svg+xml", "<svg"},
		{"/index.html", 301, "", ""}, // to /
		{"/nope", 404, "", ""},
		{"/api/snapshots", 404, "", ""},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := client.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.code {
				t.Fatalf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.code)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, tt.typ) {
				t.Errorf("Content-Type %q, want %q", got, tt.typ)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
}

// TestSelfContained keeps the page loadable without the internet: no file
// refers to another host (a CDN, a web font), which the Content Security
// Policy would block anyway.
func TestSelfContained(t *testing.T) {
	url := regexp.MustCompile(`(https?:)?//[a-zA-Z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*`)
	const svgNamespace = "http://www.w3.org/2000/svg"
	err := fs.WalkDir(static, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(path)
		if err != nil {
			return err
		}
		for _, u := range url.FindAllString(string(b), -1) {
			if u != svgNamespace {
				t.Errorf("%s refers to %s", path, u)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
