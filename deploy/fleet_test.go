package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

const alertsFile = "prometheus/alerts.yml"

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

// tool returns the path of a Prometheus binary, or skips the test.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: apt-get install prometheus", name)
	}
	return p
}

// TestAlertRules checks alerts.yml with promtool and runs its unit tests
// (alerts_test.yml), which say when each alert fires and what it says.
func TestAlertRules(t *testing.T) {
	promtool := tool(t, "promtool")
	for _, args := range [][]string{
		{"check", "rules", alertsFile},
		{"test", "rules", "prometheus/alerts_test.yml"},
	} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestAgainstFleet runs a fleet of three nodes, measured against a
// reference, with some gateway traffic, and checks the monitoring files
// against it: every metric the Grafana dashboard reads is one the fleet
// exposes, and a real Prometheus scraping the fleet loads the alerting
// rules, evaluates them without error, and answers every dashboard query
// with data.
func TestAgainstFleet(t *testing.T) {
	// The reference is the fleet's own gateway behind a proxy (tests reach
	// no outside provider), whose address is known only once it runs.
	begin := time.Now()
	proxy := &lateProxy{}
	ref := httptest.NewServer(proxy)
	t.Cleanup(ref.Close) // after the fleet stops
	// No log index: a fleet with one takes half a minute to close under
	// the race detector, and nothing here reads logs.
	f := fleettest.Start(t, fleettest.Options{Followers: 2, Configure: func(c *config.Config) {
		c.References = []config.Reference{{Name: "mirror", RPC: config.NewSecret(ref.URL)}}
	}})
	gateway, err := url.Parse(f.GatewayURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy.target.Store(gateway)
	t.Logf("fleet up in %s", time.Since(begin).Round(time.Millisecond))
	traffic(t, f.GatewayURL())
	await.True(t, 30*time.Second, "lag against the mirror", func() bool {
		_, text := fleettest.Get(t, f.OpsURL()+"/metrics")
		return strings.Contains(text, `ethfleet_node_lag_seconds{node="producer",reference="mirror"}`)
	})
	t.Logf("lag against the mirror after %s", time.Since(begin).Round(time.Millisecond))
	code, text := fleettest.Get(t, f.OpsURL()+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	exposed := exposedNames(text)
	d := loadDashboard(t)

	t.Run("grafana reads exposed metrics", func(t *testing.T) {
		for title, exprs := range d.exprs() {
			for _, expr := range exprs {
				names := metricNames(expr)
				if len(names) == 0 {
					t.Errorf("panel %q: %q reads no metric", title, expr)
				}
				for _, name := range names {
					if !exposed[name] {
						t.Errorf("panel %q: %q reads %s, which the fleet does not expose", title, expr, name)
					}
				}
			}
		}
	})

	t.Run("prometheus", func(t *testing.T) {
		prom := startPrometheus(t, tool(t, "prometheus"), strings.TrimPrefix(f.OpsURL(), "http://"))

		want := strings.Count(mustRead(t, alertsFile), "- alert:")
		await.True(t, 30*time.Second, fmt.Sprintf("%d alerting rules loaded and evaluated", want), func() bool {
			var rules struct {
				Groups []struct {
					Rules []struct{ Name, Health, LastError string }
				}
			}
			if !prom.api("rules", nil, &rules) {
				return false
			}
			n := 0
			for _, g := range rules.Groups {
				for _, r := range g.Rules {
					if r.Health == "err" {
						t.Fatalf("rule %s: %s", r.Name, r.LastError)
					}
					if r.Health == "ok" {
						n++
					}
				}
			}
			return n == want
		})
		t.Logf("rules evaluated after %s", time.Since(begin).Round(time.Millisecond))

		await.True(t, 30*time.Second, "ethfleet_node_head for the 3 nodes", func() bool {
			nodes := map[string]bool{}
			for _, s := range prom.query(t, "ethfleet_node_head") {
				nodes[s.Metric["node"]] = true
			}
			return len(nodes) == 3 && nodes["producer"] && nodes["follower-1"] && nodes["follower-2"]
		})
		t.Logf("3 nodes in Prometheus after %s", time.Since(begin).Round(time.Millisecond))

		// Grafana fills $__rate_interval with at least four scrape
		// intervals; $node with a regex of the nodes chosen.
		expand := strings.NewReplacer("$__rate_interval", "4s", "$node", ".*")
		for title, exprs := range d.exprs() {
			for _, expr := range exprs {
				q := expand.Replace(expr)
				await.True(t, 30*time.Second, fmt.Sprintf("panel %q's query %s to return data", title, q), func() bool {
					return len(prom.query(t, q)) > 0
				})
			}
		}
		t.Logf("every panel's query answered after %s", time.Since(begin).Round(time.Millisecond))
	})
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// traffic sends the gateway calls of every kind the dashboard charts, once
// now and then every 100ms until the test ends, so that their counters
// exist and move: answered calls, cached ones (eth_chainId) and ones
// refused by policy.
func traffic(t *testing.T, rpc string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	call := func(method string) error {
		body := `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":[]}`
		req, _ := http.NewRequestWithContext(ctx, "POST", rpc, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	methods := []string{"eth_blockNumber", "eth_chainId", "debug_traceBlockByNumber"}
	for _, m := range methods {
		if err := call(m); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			call(methods[i%len(methods)])
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// prometheus is a Prometheus server the test started.
type prometheus struct {
	base string // http://127.0.0.1:PORT
}

// startPrometheus runs Prometheus scraping target (host:port) every
// second with alerts.yml as its rules, on a free loopback port, until the
// test ends.
func startPrometheus(t *testing.T, bin, target string) *prometheus {
	t.Helper()
	dir := t.TempDir()
	rules, err := filepath.Abs(alertsFile)
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(config, []byte(fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: ethfleet
    static_configs:
      - targets: [%q]
`, rules, target)), 0o600)

	// The port is free when asked and taken a moment later; another
	// process may take it in between, so try again on a new one.
	for attempt := 1; ; attempt++ {
		addr := freeAddr(t)
		p := &prometheus{base: "http://" + addr}
		log := &syncBuffer{}
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, bin,
			"--config.file="+config,
			"--storage.tsdb.path="+filepath.Join(dir, "data"),
			"--web.listen-address="+addr,
			"--log.level=warn")
		cmd.Stdout, cmd.Stderr = log, log
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 10 * time.Second
		start := time.Now()
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var ended error
		await.True(t, 30*time.Second, "prometheus to be ready", func() bool {
			select {
			case ended = <-exited:
				return true
			default:
			}
			resp, err := http.Get(p.base + "/-/ready")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == 200
		})
		if ended == nil {
			t.Logf("prometheus ready on %s in %s", addr, time.Since(start).Round(time.Millisecond))
			t.Cleanup(func() {
				cancel()
				<-exited
				if t.Failed() {
					t.Logf("prometheus log:\n%s", log.String())
				}
			})
			return p
		}
		cancel()
		if attempt == 3 || !strings.Contains(log.String(), "address already in use") {
			t.Fatalf("prometheus ended: %v\n%s", ended, log.String())
		}
	}
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// api GETs /api/v1/path and decodes its data into v; it reports whether
// Prometheus answered with success.
func (p *prometheus) api(path string, params url.Values, v any) bool {
	resp, err := http.Get(p.base + "/api/v1/" + path + "?" + params.Encode())
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var answer struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
	}
	if json.NewDecoder(resp.Body).Decode(&answer) != nil || answer.Status != "success" {
		return false
	}
	return json.Unmarshal(answer.Data, v) == nil
}

type sample struct {
	Metric map[string]string `json:"metric"`
}

// query evaluates expr now and returns the series it yields; an invalid
// expression fails the test at once.
func (p *prometheus) query(t *testing.T, expr string) []sample {
	t.Helper()
	resp, err := http.Get(p.base + "/api/v1/query?" + url.Values{"query": {expr}}.Encode())
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var answer struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []sample `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatalf("query %s: %v", expr, err)
	}
	if answer.Status != "success" {
		t.Fatalf("query %s: %s", expr, answer.Error)
	}
	return answer.Data.Result
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
