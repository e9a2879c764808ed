package compose

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Depends_on of the rendered projects: restores complete before the
// execution client starts, the rest only orders the start.
var wantDependsOn = map[string]map[string]map[string]string{
	"hoodi": {
		"geth-a-execution": {"geth-a-restore": completed},
		"geth-a-consensus": {"geth-a-execution": started},
		"geth-a-agent":     {"geth-a-execution": started, "geth-a-consensus": started},
		"besu-b-execution": {"besu-b-restore": completed},
		"besu-b-consensus": {"besu-b-execution": started},
		"besu-b-agent":     {"besu-b-execution": started, "besu-b-consensus": started},
		"grafana":          {"prometheus": started},
	},
	"classic": {
		"besu-a-agent": {"besu-a-execution": started},
		"besu-b-agent": {"besu-b-execution": started},
		"grafana":      {"prometheus": started},
	},
	"mining": {
		"besu-a-agent": {"besu-a-execution": started},
		"besu-b-agent": {"besu-b-execution": started},
		"grafana":      {"prometheus": started},
		"miners":       {"pool": started},
	},
	"secrets": {
		"reth-a-consensus": {"reth-a-execution": started},
		"reth-a-agent":     {"reth-a-execution": started, "reth-a-consensus": started},
		"nm-b-execution":   {"nm-b-restore": completed},
		"nm-b-consensus":   {"nm-b-execution": started},
		"nm-b-agent":       {"nm-b-execution": started, "nm-b-consensus": started},
		"grafana":          {"prometheus": started},
	},
}

// TestProjectStructure writes each rendered project, loads it with
// compose-go (which validates it against the compose specification's
// schema, with .env values standing in for the secrets) and checks how its
// services hang together.
func TestProjectStructure(t *testing.T) {
	for fleet := range fleets {
		t.Run(fleet, func(t *testing.T) {
			cfg := load(t, fleet)
			dir := t.TempDir()
			if err := render.Write(dir, renderFleet(t, cfg)); err != nil {
				t.Fatal(err)
			}
			env := envFile(t, filepath.Join(dir, ".env.example"))
			p := loadProject(t, dir, maps.Clone(env))
			checkDependsOn(t, p, wantDependsOn[fleet])
			checkPorts(t, p, cfg)
			checkJWT(t, p, cfg)
			checkHealthchecks(t, p, cfg)
			checkEnvironment(t, p, cfg, dir, env)
			// Without .env, compose refuses to start, naming what is missing.
			if _, err := loader.LoadWithContext(context.Background(), details(dir, nil)); err == nil || !strings.Contains(err.Error(), "in .env") {
				t.Errorf("loading without .env: %v, want an error asking for a variable", err)
			}
		})
	}
}

// envFile reads the variables .env.example lists and gives each a stand-in.
func envFile(t *testing.T, path string) types.Mapping {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := types.Mapping{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if name, value, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(name, "#") {
			if value != "" {
				t.Errorf(".env.example sets %s", name)
			}
			env[name] = "stand-in-" + name
		}
	}
	if _, ok := env[grafanaPassword]; !ok {
		t.Errorf(".env.example lacks %s", grafanaPassword)
	}
	return env
}

func details(dir string, env types.Mapping) types.ConfigDetails {
	return types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "compose.yaml")}},
		Environment: env,
	}
}

func loadProject(t *testing.T, dir string, env types.Mapping) *types.Project {
	t.Helper()
	p, err := loader.LoadWithContext(context.Background(), details(dir, env))
	if err != nil {
		t.Fatalf("compose-go does not load the project: %v", err)
	}
	return p
}

func checkDependsOn(t *testing.T, p *types.Project, want map[string]map[string]string) {
	t.Helper()
	for name, s := range p.Services {
		got := map[string]string{}
		for dep, d := range s.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				t.Errorf("%s depends on %s, which is not a service", name, dep)
			}
			got[dep] = d.Condition
		}
		if !maps.Equal(got, want[name]) && (len(got) > 0 || len(want[name]) > 0) {
			t.Errorf("%s depends on %v, want %v", name, got, want[name])
		}
	}
	for name := range want {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("no service %s", name)
		}
	}
}

// peer is a client service of a node, with the node's index.
type peer struct {
	client clients.Client
	index  int
}

// clientServices maps each client service to its client and node index.
func clientServices(cfg *config.Config) map[string]peer {
	m := map[string]peer{}
	for i, n := range cfg.DeployedNodes() {
		ec, _ := clients.Lookup(clients.Execution, n.Execution.Client)
		m[render.Name(n.Name)+"-execution"] = peer{ec, i}
		if n.Consensus != nil {
			cc, _ := clients.Lookup(clients.Consensus, n.Consensus.Client)
			m[render.Name(n.Name)+"-consensus"] = peer{cc, i}
		}
	}
	return m
}

// checkPorts checks that only the peer-to-peer ports are published on
// every interface, each on a host port of its own that the client listens
// on, and the gateway, Grafana, Prometheus and the mining pool on
// compose.publish only.
func checkPorts(t *testing.T, p *types.Project, cfg *config.Config) {
	t.Helper()
	local := map[string][]uint32{"gateway": {render.GatewayPort}, "grafana": {3000}, "prometheus": {9090}}
	if render.Mining(cfg) {
		local[poolService] = []uint32{render.PoolPort, render.StratumPort}
	}
	peers := clientServices(cfg)
	seen := map[string]string{}
	for name, s := range p.Services {
		for _, port := range s.Ports {
			key := port.Published + "/" + port.Protocol
			if other, dup := seen[key]; dup {
				t.Errorf("%s and %s both publish %s", name, other, key)
			}
			seen[key] = name
			if want, ok := local[name]; ok {
				if port.HostIP != cfg.Compose.Publish || !slices.Contains(want, port.Target) {
					t.Errorf("%s publishes %+v, want %d on %s only", name, port, want, cfg.Compose.Publish)
				}
				continue
			}
			c, ok := peers[name]
			if !ok {
				t.Errorf("%s publishes %+v; it should publish nothing", name, port)
				continue
			}
			public := slices.ContainsFunc(c.client.Ports, func(cp clients.Port) bool {
				return cp.Public && cp.Protocol == port.Protocol && int(port.Target) == cp.Number+c.index
			})
			if !public || port.HostIP != "0.0.0.0" || port.Published != strconv.Itoa(int(port.Target)) {
				t.Errorf("%s publishes %+v, which is not one of its peer-to-peer ports on its own host port", name, port)
			}
			if !slices.ContainsFunc(s.Command, func(a string) bool { return strings.HasSuffix(a, "="+port.Published) }) {
				t.Errorf("%s publishes %s but its command line does not listen there: %v", name, key, s.Command)
			}
		}
	}
	for name := range local {
		if len(p.Services[name].Ports) == 0 {
			t.Errorf("%s is not published", name)
		}
	}
}

// checkJWT checks that both clients of every proof-of-stake node mount the
// same secret file, of mode 0600, read-only, and no two nodes share one.
func checkJWT(t *testing.T, p *types.Project, cfg *config.Config) {
	t.Helper()
	owners := map[string]string{}
	for _, n := range cfg.DeployedNodes() {
		name := render.Name(n.Name)
		execution, consensus := jwtMount(p, name+"-execution"), jwtMount(p, name+"-consensus")
		if n.Consensus == nil {
			if execution != nil {
				t.Errorf("%s has no consensus client but mounts a JWT secret", name)
			}
			continue
		}
		if execution == nil || consensus == nil || execution.Source != consensus.Source {
			t.Errorf("%s: the pair does not share one JWT file: %+v, %+v", name, execution, consensus)
			continue
		}
		if !execution.ReadOnly || !consensus.ReadOnly || execution.Type != types.VolumeTypeBind {
			t.Errorf("%s: the JWT file is not bound read-only: %+v, %+v", name, execution, consensus)
		}
		fi, err := os.Stat(execution.Source)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: JWT file %s: %v, mode %v, want 0600", name, execution.Source, err, fi.Mode().Perm())
		}
		if other, dup := owners[execution.Source]; dup {
			t.Errorf("%s and %s share a JWT file", name, other)
		}
		owners[execution.Source] = name
	}
}

func jwtMount(p *types.Project, service string) *types.ServiceVolumeConfig {
	s, ok := p.Services[service]
	if !ok {
		return nil
	}
	for i := range s.Volumes {
		if s.Volumes[i].Target == render.JWTFile {
			return &s.Volumes[i]
		}
	}
	return nil
}

// checkHealthchecks checks that the gateway and every agent are probed on
// /ready with the ethfleet binary.
func checkHealthchecks(t *testing.T, p *types.Project, cfg *config.Config) {
	t.Helper()
	ready := fmt.Sprintf("http://127.0.0.1:%d/ready", render.OpsPort)
	probed := map[string]string{"gateway": ready}
	for _, n := range cfg.DeployedNodes() {
		probed[render.Name(n.Name)+"-agent"] = ready
	}
	if render.Mining(cfg) {
		probed[poolService] = fmt.Sprintf("http://127.0.0.1:%d/stats", render.PoolPort)
		probed[minersService] = ready
	}
	for name, url := range probed {
		hc := p.Services[name].HealthCheck
		if hc == nil || len(hc.Test) != 4 || hc.Test[0] != "CMD" || hc.Test[1] != binary || hc.Test[2] != "probe" || hc.Test[3] != url {
			t.Errorf("%s: health check %+v, want ethfleet probe of %s", name, hc, url)
		}
	}
}

// checkEnvironment checks that the gateway and every agent get from .env
// each variable their fleet description refers to.
func checkEnvironment(t *testing.T, p *types.Project, cfg *config.Config, dir string, env types.Mapping) {
	t.Helper()
	files := map[string]string{"gateway": "config/gateway.yaml"}
	for _, n := range cfg.DeployedNodes() {
		files[render.Name(n.Name)+"-agent"] = "config/agent-" + render.Name(n.Name) + ".yaml"
	}
	for service, file := range files {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range config.EnvRef.FindAllStringSubmatch(string(data), -1) {
			got := p.Services[service].Environment[m[1]]
			if got == nil || *got != env[m[1]] {
				t.Errorf("%s: %s refers to %s, which the service gets as %v", service, file, m[1], got)
			}
		}
	}
}

// TestPrometheusConfig checks the rendered prometheus.yml and its rules
// with promtool, when it is installed (CI has it).
func TestPrometheusConfig(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (apt-get install prometheus): prometheus.yml not checked")
	}
	for fleet := range fleets {
		dir := t.TempDir()
		if err := render.Write(dir, renderFleet(t, load(t, fleet))); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(promtool, "check", "config", filepath.Join(dir, "prometheus", "prometheus.yml")).CombinedOutput()
		if err != nil {
			t.Errorf("%s: promtool check config: %v\n%s", fleet, err, out)
		}
	}
}
