package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/agent"
	"github.com/ethfleet/ethfleet/internal/await"
)

// chromium returns the path of Debian's Chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not installed: apt-get install chromium")
	return ""
}

// artifactDir is where a test leaves files for people to look at:
// $ETHFLEET_ARTIFACTS if set, else the test's temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ETHFLEET_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// headless runs Chromium in headless mode on url with extra flags and
// returns its standard output. The page's scripts get budget of virtual
// time, which passes as fast as the page lets it (fetches in flight hold
// it back), so that the DOM or screenshot shows the page after a few
// refreshes.
func headless(t *testing.T, bin, url string, budget time.Duration, extra ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir(),
		"--virtual-time-budget=" + strconv.FormatInt(budget.Milliseconds(), 10),
	}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
	}
	t.Logf("chromium %v took %s", extra, time.Since(start).Round(time.Millisecond))
	return stdout.Bytes()
}

// lateProxy forwards to a target set after it starts, and answers 502
// until then.
type lateProxy struct{ target atomic.Pointer[url.URL] }

func (p *lateProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u := p.target.Load()
	if u == nil {
		http.Error(w, "no target yet", http.StatusBadGateway)
		return
	}
	httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, r)
}

var (
	tagRE  = regexp.MustCompile(`<(tr|svg|body)\b[^>]*>`)
	attrRE = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
)

// tags returns the attributes of every <tr>, <svg> and <body> in html.
func tags(html string) []map[string]string {
	var out []map[string]string
	for _, m := range tagRE.FindAllStringSubmatch(html, -1) {
		attrs := map[string]string{"tag": m[1]}
		for _, a := range attrRE.FindAllStringSubmatch(m[0], -1) {
			attrs[a[1]] = a[2]
		}
		out = append(out, attrs)
	}
	return out
}

// TestDashboardInChromium runs `ethfleet up` with two followers, as a
// person would, and opens its dashboard in headless Chromium: the table
// shows three ready nodes and every node's lag chart has points, against
// the fleet's head and against a reference (here the fleet's own gateway,
// reached through a proxy, since tests reach no outside provider). It
// saves a screenshot.
func TestDashboardInChromium(t *testing.T) {
	bin := chromium(t)
	proxy := &lateProxy{}
	ref := httptest.NewServer(proxy)
	t.Cleanup(ref.Close) // after `up` stops

	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "ethfleet.yaml")
	os.WriteFile(cfgFile, []byte(`
devnet:
  logIndex: false
gateway:
  listen: 127.0.0.1:0
ops:
  listen: 127.0.0.1:0
references:
  - name: mirror
    rpc: `+ref.URL+`
`), 0o600)
	r := start(t, "up", "--config", cfgFile, "--data-dir", filepath.Join(dir, "data"),
		"--followers", "2", "--block-time", "500ms", "--status-every", "0")
	target, err := url.Parse(r.rpc)
	if err != nil {
		t.Fatal(err)
	}
	proxy.target.Store(target)

	await.True(t, 60*time.Second, "3 ready nodes with lag samples against the fleet and the mirror", func() bool {
		var reports []agent.Report
		var history map[string]map[string][]agent.Sample
		if !getJSON(r.ops+"/api/nodes", &reports) || !getJSON(r.ops+"/api/history?since=0", &history) || len(reports) != 3 {
			return false
		}
		for _, n := range reports {
			if !n.Ready || len(history[n.Name]["fleet"]) < 3 || len(history[n.Name]["mirror"]) < 2 {
				return false
			}
		}
		return true
	})
	traffic(t, r.rpc)

	// A node may drop out of readiness for a moment on a busy machine;
	// the page must show the fleet ready within a few loads.
	for attempt := 1; ; attempt++ {
		dom := string(headless(t, bin, r.ops+"/", 6*time.Second, "--dump-dom"))
		problems := checkPage(dom)
		if len(problems) == 0 {
			break
		}
		if attempt == 3 {
			t.Fatalf("the page:\n%s\n\n%s", dom, strings.Join(problems, "\n"))
		}
		t.Logf("load %d: %s", attempt, strings.Join(problems, "; "))
	}

	shot := filepath.Join(artifactDir(t), "dashboard.png")
	headless(t, bin, r.ops+"/", 6*time.Second, "--screenshot="+shot, "--window-size=1280,900", "--hide-scrollbars")
	b, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
}

// checkPage says what is wrong with the dashboard's DOM, if anything: it
// wants the page live, three rows of ready nodes, three lag charts with
// points, and series against the fleet and the mirror.
func checkPage(dom string) []string {
	var problems []string
	var ready, charts int
	for _, a := range tags(dom) {
		switch {
		case a["tag"] == "body" && a["data-state"] != "live":
			problems = append(problems, fmt.Sprintf("page state %q, want live", a["data-state"]))
		case a["tag"] == "tr" && a["data-node"] != "":
			if a["data-ready"] == "true" {
				ready++
			} else {
				problems = append(problems, fmt.Sprintf("row %s: data-ready=%q", a["data-node"], a["data-ready"]))
			}
		case a["tag"] == "svg" && strings.Contains(a["class"], "lag-chart"):
			if n, _ := strconv.Atoi(a["data-points"]); n < 2 {
				problems = append(problems, fmt.Sprintf("lag chart of %s has %q points", a["data-node"], a["data-points"]))
			}
			charts++
		}
	}
	if ready != 3 || charts != 3 {
		problems = append(problems, fmt.Sprintf("%d ready rows and %d lag charts, want 3 and 3", ready, charts))
	}
	for _, want := range []string{`data-series="fleet"`, `data-series="mirror"`, `<th class="num">Lag · mirror</th>`} {
		if !strings.Contains(dom, want) {
			problems = append(problems, "no "+want)
		}
	}
	return problems
}

// getJSON decodes url's JSON answer into v, and reports whether it could.
func getJSON(url string, v any) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == 200 && json.NewDecoder(resp.Body).Decode(v) == nil
}

// traffic sends the gateway a few calls every 50ms until the test ends,
// so that its panel has something to show.
func traffic(t *testing.T, rpc string) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			method := "eth_blockNumber"
			if i%10 == 9 {
				method = "debug_traceBlockByNumber" // refused by policy: an error
			}
			body := `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":[]}`
			req, _ := http.NewRequestWithContext(ctx, "POST", rpc, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}
