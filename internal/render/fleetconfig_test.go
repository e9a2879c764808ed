package render

import (
	"strings"
	"testing"

	"github.com/ethfleet/ethfleet/internal/config"
)

func loadExample(t *testing.T, name string) *config.Config {
	t.Helper()
	cfg, err := config.LoadUnresolved("../../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func at(n config.Node) NodeURLs { return Locate(n, n.Name+"-execution", n.Name+"-consensus") }

// TestRenderedConfigsLoad checks that what the gateways and agents run from
// loads as a fleet description and keeps secrets as references.
func TestRenderedConfigsLoad(t *testing.T) {
	for _, example := range []string{"mainnet.yaml", "hoodi.yaml", "classic.yaml"} {
		cfg := loadExample(t, example)
		gw, err := GatewayConfig(cfg, at)
		if err != nil {
			t.Fatal(err)
		}
		docs := map[string][]byte{"gateway": gw}
		for _, n := range cfg.DeployedNodes() {
			a, err := AgentConfig(cfg, n.Name, at, AgentOptions{EMF: true})
			if err != nil {
				t.Fatal(err)
			}
			docs["agent "+n.Name] = a
		}
		for name, doc := range docs {
			got, err := config.Parse(example+" "+name, doc, func(string) (string, bool) { return "0123456789abcdef0123", true })
			if err != nil {
				t.Errorf("%s %s does not load: %v\n%s", example, name, err, doc)
				continue
			}
			if len(got.Nodes) != len(cfg.DeployedNodes()) {
				t.Errorf("%s %s: %d nodes, want %d", example, name, len(got.Nodes), len(cfg.DeployedNodes()))
			}
			if strings.Contains(string(doc), "stand-in") {
				t.Errorf("%s %s carries a resolved secret:\n%s", example, name, doc)
			}
		}
	}
}

func TestArgs(t *testing.T) {
	cfg := loadExample(t, "mainnet.yaml")
	n := cfg.Nodes[0]
	ex, cons := Args(cfg, n, "localhost")
	if !strings.Contains(strings.Join(ex, " "), "--authrpc.jwtsecret="+JWTFile) {
		t.Errorf("geth args lack the JWT secret: %v", ex)
	}
	if !strings.Contains(strings.Join(cons, " "), "--execution-endpoint=http://localhost:8551") {
		t.Errorf("lighthouse args lack the engine URL: %v", cons)
	}
	classic := loadExample(t, "classic.yaml")
	ex, cons = Args(classic, classic.Nodes[0], "localhost")
	if cons != nil || strings.Contains(strings.Join(ex, " "), "engine") {
		t.Errorf("a proof-of-work node got a consensus client or engine API: %v / %v", ex, cons)
	}
}

// TestSnapshotter: only the fleet's snapshotter gets a snapshot schedule,
// and only where the target names the containers its agent stops.
func TestSnapshotter(t *testing.T) {
	cfg := loadExample(t, "mainnet.yaml")
	for _, n := range cfg.DeployedNodes() {
		for _, containers := range [][]string{nil, {"consensus", "execution"}} {
			doc, err := AgentConfig(cfg, n.Name, at, AgentOptions{Containers: containers})
			if err != nil {
				t.Fatal(err)
			}
			got, err := config.Parse("agent.yaml", doc, func(string) (string, bool) { return "x", true })
			if err != nil {
				t.Fatalf("%s: %v\n%s", n.Name, err, doc)
			}
			want := n.Name == cfg.Snapshots.Snapshotter && containers != nil
			if sn := got.Agent.Snapshots; (sn != nil) != want {
				t.Errorf("%s with containers %v: snapshots %+v, want them: %v", n.Name, containers, sn, want)
			} else if want && (sn.Client != n.Execution.Client || sn.Store.String() != cfg.Snapshots.Store.String() || sn.Keep != cfg.Snapshots.Keep) {
				t.Errorf("%s: snapshots %+v", n.Name, sn)
			}
		}
	}
}
