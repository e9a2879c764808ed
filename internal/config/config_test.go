package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testEnv resolves ${NAME} for the fixtures without touching the process
// environment.
func testEnv(name string) (string, bool) {
	if name == "ETHFLEET_TEST_KEY" {
		return "s3cr3t-key", true
	}
	return "", false
}

func TestBadFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []string // the error's lines, in order
	}{
		{"unknown_key.bad.yaml", []string{
			`unknown_key.bad.yaml:5: gateway.max_lag: unknown key (did you mean "maxLag"?)`,
			`unknown_key.bad.yaml:6: gateway.colour: unknown key`,
			`unknown_key.bad.yaml:7: opz: unknown key`,
		}},
		{"syntax.bad.yaml", []string{
			`syntax.bad.yaml:2: did not find expected key`,
		}},
		{"type.bad.yaml", []string{
			"type.bad.yaml:2: cannot unmarshal !!str `lots` into int",
			"type.bad.yaml:4: cannot unmarshal !!seq into int",
		}},
		{"duration.bad.yaml", []string{
			"duration.bad.yaml:2: cannot unmarshal !!int `5` into time.Duration",
		}},
		{"secret_shape.bad.yaml", []string{
			"secret_shape.bad.yaml:4: expected a string",
		}},
		{"missing_env.bad.yaml", []string{
			"missing_env.bad.yaml:3: references[0].rpc: environment variable ETHFLEET_TEST_UNSET_KEY is not set",
		}},
		{"access.bad.yaml", []string{
			`access.bad.yaml:2: gateway.fallback: needs at least one entry in references`,
			`access.bad.yaml:4: gateway.methods.deny[1]: "" is not a method name or a namespace such as "debug_"`,
			`access.bad.yaml:5: gateway.methods.allow[0]: "eth call" is not a method name or a namespace such as "debug_"`,
			`access.bad.yaml:8: gateway.apiKeys[0].key: must be at least 16 characters, got 5`,
			`access.bad.yaml:9: gateway.apiKeys[1].name: "backend" is already used by gateway.apiKeys[0]`,
			`access.bad.yaml:12: gateway.rateLimit.perKey.rate: must be positive, got 0`,
			`access.bad.yaml:12: gateway.rateLimit.perKey.burst: must be at least 1, got 0`,
			`access.bad.yaml:16: gateway.rateLimit.methodCost.eth_call: must not be negative, got -1`,
			`access.bad.yaml:17: gateway.tls: certFile and keyFile go together`,
		}},
		{"agent.bad.yaml", []string{
			`agent.bad.yaml:4: nodes[0].beacon: "ws://127.0.0.1:5052" must use one of the schemes [http https]`,
			`agent.bad.yaml:6: agent.node: "geth-2" is not the name of an entry of nodes`,
			`agent.bad.yaml:7: agent.maxHeadAge: must not be negative, got -1m0s`,
			`agent.bad.yaml:8: agent.publicAddress: "example.com" is not an IPv4 address`,
			`agent.bad.yaml:9: agent.client.command: is required: the path of the client's binary`,
			`agent.bad.yaml:10: agent.client.syncMode: must be snap or full, got "light"`,
			`agent.bad.yaml:11: agent.dns.zoneId: is required`,
			`agent.bad.yaml:13: agent.dns.address: "10.0.0.300" is not an IPv4 address`,
		}},
		{"agent_snapshots.bad.yaml", []string{
			"agent_snapshots.bad.yaml:6: agent.snapshots: takes one of agent.client, containers and hold: they are three ways of running the client",
			`agent_snapshots.bad.yaml:9: agent.snapshots.hold: must be an absolute path, got "run/hold"`,
		}},
		{"values.bad.yaml", []string{
			"values.bad.yaml:2: devnet.followers: must be between 0 and 16, got 99",
			"values.bad.yaml:3: devnet.blockTime: must be at least 50ms, got 10ms",
			`values.bad.yaml:6: nodes[0].rpc: "ftp://127.0.0.1:8545" must use one of the schemes [http https]`,
			`values.bad.yaml:7: nodes[1].name: "geth-1" is already used by nodes[0]`,
			`values.bad.yaml:9: nodes[1].ws: "http://127.0.0.1:8548" must use one of the schemes [ws wss]`,
			`values.bad.yaml:10: nodes[2].rpc: is required (or execution, for a node ethfleet deploys)`,
			`values.bad.yaml:15: gateway.listen: "localhost" is not a host:port address`,
			`values.bad.yaml:17: gateway.heapFloor: must not be negative, got -1`,
			`values.bad.yaml:16: gateway.maxBatch: must be at least 1, got -1`,
			`values.bad.yaml:18: gateway.upstreamConcurrency: must be 0 (no bound) or more, got -2`,
			`values.bad.yaml:20: ops.listen: "localhost" is not a host:port address`,
			`values.bad.yaml:20: ops.listen: must differ from gateway.listen (localhost)`,
		}},
		{"deploy.bad.yaml", []string{
			`deploy.bad.yaml:22: gateway.listen: "0.0.0.0:8545" is reachable beyond this host, so gateway.apiKeys must list at least one key (or listen on 127.0.0.1)`,
			`deploy.bad.yaml:5: nodes[0].execution.client: unknown execution client "gethh"; one of geth, reth, nethermind, erigon, besu`,
			`deploy.bad.yaml:7: nodes[1].execution.client: geth does not run classic; clients that do: besu`,
			`deploy.bad.yaml:7: nodes[1].execution.image: "ethereum/client-go:latest" is not pinned: name a version tag (client:v1.2.3) or a digest (@sha256:…)`,
			`deploy.bad.yaml:8: nodes[1].volume: gp3 IOPS 2000 outside 3000–80000`,
			`deploy.bad.yaml:8: nodes[1].volume.sizeGiB: 100 GiB is too small for classic: a full node needs at least 600 GiB (default 800)`,
			`deploy.bad.yaml:11: nodes[2].consensus: classic is a proof-of-work network: its execution client runs alone, leave out consensus`,
			`deploy.bad.yaml:12: nodes[2].resources.cpu: must be at least 2 cores, got 1`,
			`deploy.bad.yaml:12: nodes[2].resources.memoryGiB: must be at least 8 GiB on classic, got 4`,
			`deploy.bad.yaml:13: nodes[3].execution: is required: consensus, resources, volume and snapshot describe a deployed node, which names its execution client`,
			`deploy.bad.yaml:18: nodes[4].snapshot.source: store needs snapshots.store`,
			`deploy.bad.yaml:20: snapshots.snapshotter: "d" is not the name of a deployed node (one with execution)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := parseFixture(t, tt.file)
			if err == nil {
				t.Fatal("parsed without error")
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("error lines:\n%s\nwant:\n%s", err, strings.Join(tt.want, "\n"))
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error reveals a secret: %s", err)
			}
		})
	}
}

// TestEveryBadFixtureIsTested keeps the fixture directory and the table in
// step: a new *.bad.yaml without an expected message fails here.
func TestEveryBadFixtureIsTested(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("config_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.Contains(string(src), fmt.Sprintf("{%q, ", filepath.Base(f))) {
			t.Errorf("%s has no case in TestBadFixtures", f)
		}
	}
}

func TestGoodFixture(t *testing.T) {
	cfg, err := parseFixture(t, "good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"network.name", cfg.Network.Name, "sepolia"},
		{"network.chainId", cfg.Network.ChainID, uint64(11155111)},
		{"nodes", len(cfg.Nodes), 2},
		{"nodes[0].name", cfg.Nodes[0].Name, "geth-a"},
		{"nodes[0].ws", cfg.Nodes[0].WS.Reveal(), "ws://127.0.0.1:8546"},
		{"nodes[1].name defaulted", cfg.Nodes[1].Name, "node-2"},
		{"references[0].rpc revealed", cfg.References[0].RPC.Reveal(), "https://sepolia.infura.io/v3/s3cr3t-key"},
		{"references[0].rpc printed", cfg.References[0].RPC.String(), "https://sepolia.infura.io/v3/${ETHFLEET_TEST_KEY}"},
		{"gateway.listen", cfg.Gateway.Listen, DefaultGatewayListen},
		{"gateway.maxLag explicit zero kept", *cfg.Gateway.MaxLag, uint64(0)},
		{"gateway.maxBatch", cfg.Gateway.MaxBatch, DefaultMaxBatch},
		{"gateway.outlierGap", *cfg.Gateway.OutlierGap, uint64(DefaultOutlierGap)},
		{"gateway.maxBodyBytes", cfg.Gateway.MaxBodyBytes, int64(DefaultMaxBodyBytes)},
		{"gateway.heapFloor", *cfg.Gateway.HeapFloor, int64(DefaultHeapFloor)},
		{"gateway.requestTimeout", cfg.Gateway.RequestTimeout, DefaultRequestTimeout},
		{"ops.listen", cfg.Ops.Listen, "0.0.0.0:6060"},
		{"gateway.apiKeys[0].key revealed", cfg.Gateway.APIKeys[0].Key.Reveal(), "s3cr3t-key-0123456789"},
		{"gateway.rateLimit.perIP.burst", cfg.Gateway.RateLimit.PerIP.Burst, 100},
		{"gateway.methods.deny unset", cfg.Gateway.Methods.Deny == nil, true},
		{"devnet.followers", *cfg.Devnet.Followers, DefaultFollowers},
		{"devnet.blockTime", cfg.Devnet.BlockTime, time.Second},
		{"devnet.logIndex", *cfg.Devnet.LogIndex, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse("empty.yaml", nil, testEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	gotJSON, _ := json.Marshal(cfg)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("empty file = %s\nwant %s", gotJSON, wantJSON)
	}
	if cfg.Network.ChainID != DefaultDevChainID || *cfg.Gateway.MaxLag != DefaultMaxLag {
		t.Errorf("defaults not applied: %+v", cfg)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	cfg, err := parseFixture(t, "good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"json":  string(out),
		"%v":    fmt.Sprintf("%v", cfg.References),
		"%+v":   fmt.Sprintf("%+v", *cfg),
		"print": fmt.Sprint(cfg.References[0].RPC),
	}
	for name, s := range outputs {
		if strings.Contains(s, "s3cr3t") {
			t.Errorf("%s output reveals the secret: %s", name, s)
		}
	}
}

func parseFixture(t *testing.T, name string) (*Config, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Parse(name, data, testEnv)
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data, testEnv)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
		if err != nil && cfg != nil {
			t.Fatal("config returned with an error")
		}
	})
}

// TestExamples keeps the shipped example files valid.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		if _, err := LoadUnresolved(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestRedactor(t *testing.T) {
	key := Secret{template: "https://mainnet.infura.io/v3/${KEY}", value: "https://mainnet.infura.io/v3/s3cr3t"}
	plain := NewSecret("http://127.0.0.1:8545")
	redact := Redactor(key, plain, Secret{})
	got := redact(`Post "https://mainnet.infura.io/v3/s3cr3t": dial tcp: refused; Post "http://127.0.0.1:8545": EOF`)
	want := `Post "https://mainnet.infura.io/v3/${KEY}": dial tcp: refused; Post "http://127.0.0.1:8545": EOF`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
