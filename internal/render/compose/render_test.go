package compose

import (
	"bytes"
	"encoding/hex"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ethfleet/ethfleet/deploy"
	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fleets are the descriptions the tests render, by name.
var fleets = map[string]string{
	"hoodi":   "../../../examples/hoodi.yaml",
	"classic": "../../../examples/classic.yaml",
	"mining":  "../../../examples/classic-mining.yaml",
	"secrets": "testdata/secrets.yaml",
}

// counter stands in for crypto/rand: it reads 0, 1, 2, ...
type counter struct{ next byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.next
		c.next++
	}
	return len(p), nil
}

// load loads a fleet with its secrets unresolved, as `ethfleet render`
// does, and checks it can go to compose.
func load(t *testing.T, fleet string) *config.Config {
	t.Helper()
	cfg, err := config.LoadUnresolved(fleets[fleet])
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckTarget(config.TargetCompose); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func renderFleet(t *testing.T, cfg *config.Config) []render.File {
	t.Helper()
	files, err := renderWith(cfg, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// shipped are files copied from package deploy, which its own tests
// check; the golden files leave them out.
var shipped = map[string][]byte{
	"prometheus/alerts.yml":            deploy.AlertRules,
	"grafana/dashboards/ethfleet.json": deploy.Dashboard,
}

// TestGolden compares what each fleet renders to testdata/golden/FLEET,
// byte for byte; `go test -update` rewrites them.
func TestGolden(t *testing.T) {
	for fleet := range fleets {
		t.Run(fleet, func(t *testing.T) {
			var files []render.File
			for _, f := range renderFleet(t, load(t, fleet)) {
				if want, ok := shipped[f.Path]; ok {
					if !bytes.Equal(f.Data, want) {
						t.Errorf("%s differs from package deploy's", f.Path)
					}
					continue
				}
				files = append(files, f)
			}
			dir := filepath.Join("testdata", "golden", fleet)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := render.Write(dir, files); err != nil {
					t.Fatal(err)
				}
				return
			}
			left := map[string]bool{}
			filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, path)
					left[filepath.ToSlash(rel)] = true
				}
				return err
			})
			for _, f := range files {
				delete(left, f.Path)
				want, err := os.ReadFile(filepath.Join(dir, f.Path))
				if err != nil {
					t.Errorf("%s: %v (go test -update writes it)", f.Path, err)
					continue
				}
				if !bytes.Equal(f.Data, want) {
					t.Errorf("%s differs from its golden file (go test -update rewrites it):\n%s", f.Path, f.Data)
				}
			}
			for path := range left {
				t.Errorf("%s is no longer rendered (go test -update removes it)", path)
			}
		})
	}
}

// TestNoSecretRendered loads each fleet with every ${NAME} resolved to a
// recognisable value and looks for it in every rendered file.
func TestNoSecretRendered(t *testing.T) {
	const mark = "resolved-secret-value"
	for fleet, path := range fleets {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Parse(path, data, func(name string) (string, bool) { return mark + strings.ToLower(name), true })
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range renderFleet(t, cfg) {
			if bytes.Contains(f.Data, []byte(mark)) {
				t.Errorf("%s: %s carries a resolved secret", fleet, f.Path)
			}
		}
	}
}

// TestJWT checks the engine API secrets Render makes: one per pair, fresh
// each time, 32 bytes in hex, readable by their owner only, and kept when
// a project is rendered again.
func TestJWT(t *testing.T) {
	cfg := load(t, "hoodi")
	secrets := map[string]bool{}
	for range 2 {
		files, err := Render(cfg)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range files {
			if !strings.HasPrefix(f.Path, "jwt/") {
				continue
			}
			n++
			if b, err := hex.DecodeString(string(f.Data)); err != nil || len(b) != 32 || f.Mode != 0o600 || !f.Once {
				t.Errorf("%s = %q mode %v once %v: want 32 bytes in hex, 0600, once", f.Path, f.Data, f.Mode, f.Once)
			}
			secrets[string(f.Data)] = true
		}
		if n != len(cfg.DeployedNodes()) {
			t.Errorf("%d secrets for %d pairs", n, len(cfg.DeployedNodes()))
		}
	}
	if len(secrets) != 2*len(cfg.DeployedNodes()) {
		t.Errorf("%d distinct secrets in two renders of %d pairs", len(secrets), len(cfg.DeployedNodes()))
	}
}

// TestListenOn moves the peer-to-peer port of every client of the catalog
// and checks that only port flags changed, and at least one.
func TestListenOn(t *testing.T) {
	for _, layer := range []clients.Layer{clients.Execution, clients.Consensus} {
		for _, name := range clients.Names(layer) {
			c, _ := clients.Lookup(layer, name)
			args := c.Args(clients.Options{
				Network: c.Networks[0], DataDir: "/data/x", JWTFile: "/secrets/jwt.hex",
				EngineURL: "http://x-execution:8551", CheckpointSyncURL: "https://checkpoint.example",
			})
			p2p := c.Port("p2p")
			moved := listenOn(args, p2p, p2p+3)
			changed := 0
			for i := range args {
				if moved[i] == args[i] {
					continue
				}
				changed++
				if !strings.Contains(strings.ToLower(args[i]), "port") || !strings.HasSuffix(moved[i], "="+strconv.Itoa(p2p+3)) {
					t.Errorf("%s: %s became %s", name, args[i], moved[i])
				}
			}
			if changed == 0 {
				t.Errorf("%s: no flag set the p2p port %d in %v", name, p2p, args)
			}
		}
	}
}
