package render

import (
	"strings"
	"testing"

	"github.com/ethfleet/ethfleet/internal/config"
)

// TestMiningConfigsLoad checks that what the pool, the miners and the
// autoscaler run from loads as a fleet description saying what each needs.
func TestMiningConfigsLoad(t *testing.T) {
	cfg := loadExample(t, "classic-mining.yaml")
	if !Mining(cfg) || Mining(loadExample(t, "classic.yaml")) {
		t.Fatal("Mining: want true for classic-mining only")
	}
	pool, err := PoolConfig(cfg, "http://besu-a:8545")
	if err != nil {
		t.Fatal(err)
	}
	miner, err := MinerConfig(cfg, "pool.internal", 2)
	if err != nil {
		t.Fatal(err)
	}
	scale, err := AutoscaleConfig(cfg, Scaler{Provider: "k8s", Namespace: "ns", Deployment: "miners", PoolHost: "pool.ns.svc"})
	if err != nil {
		t.Fatal(err)
	}
	load := func(name string, doc []byte) config.Mining {
		t.Helper()
		got, err := config.Parse(name, doc, func(string) (string, bool) { return "0123456789abcdef0123", true })
		if err != nil {
			t.Fatalf("%s does not load: %v\n%s", name, err, doc)
		}
		return got.Mining
	}
	p := load("pool", pool)
	if p.Node.String() != "http://besu-a:8545" || p.Pool.Listen != "0.0.0.0:8008" || p.Pool.Stratum != "0.0.0.0:8009" || p.Etherbase != cfg.Mining.Etherbase {
		t.Errorf("pool: node %s, listen %s, stratum %s, etherbase %s", p.Node, p.Pool.Listen, p.Pool.Stratum, p.Etherbase)
	}
	m := load("miner", miner)
	if m.Miner.Pool != "stratum+tcp://pool.internal:8009" || m.Miner.DAGDir != DAGDir || m.Miner.Threads != 2 || m.Algorithm != "etchash" {
		t.Errorf("miner: %+v, algorithm %s", m.Miner, m.Algorithm)
	}
	if !m.Node.IsZero() || strings.Contains(string(miner), "autoscale") {
		t.Errorf("the miners' description carries more than theirs:\n%s", miner)
	}
	a := load("autoscale", scale).Autoscale
	if a == nil || a.Provider != "k8s" || a.Namespace != "ns" || a.Deployment != "miners" || *a.MaxMiners != 6 || a.MinHashrate != 400000 {
		t.Fatalf("autoscale: %+v\n%s", a, scale)
	}
	if !strings.Contains(string(scale), "listen: pool.ns.svc:8008") {
		t.Errorf("the autoscaler does not read the pool at pool.ns.svc:8008:\n%s", scale)
	}

	// A node given as a secret stays a reference; stratum off gives
	// miners the getWork URL.
	cfg.Mining.Node = config.NewSecret("https://rpc.example/${RPC_KEY}")
	cfg.Mining.Pool.Stratum = "off"
	pool, _ = PoolConfig(cfg, "http://besu-a:8545")
	if p := load("pool", pool); p.Node.String() != "https://rpc.example/${RPC_KEY}" || p.Pool.Stratum != "off" {
		t.Errorf("pool: node %s, stratum %s", p.Node, p.Pool.Stratum)
	}
	if got := PoolURL(cfg, "pool"); got != "http://pool:8008" {
		t.Errorf("PoolURL without stratum = %s", got)
	}
}

func TestCheckMining(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*config.Config)
		want string // in the error; empty: none
	}{
		{"classic", func(*config.Config) {}, ""},
		{"proof of stake", func(c *config.Config) { c.Network.Name = "hoodi" }, "proof-of-stake"},
		{"no node", func(c *config.Config) { c.Nodes = nil }, "set mining.node"},
		{"no node but mining.node", func(c *config.Config) {
			c.Nodes, c.Mining.Node = nil, config.NewSecret("http://core-geth:8545")
		}, ""},
		{"no autoscale", func(c *config.Config) { c.Mining.Autoscale = nil }, "mining.autoscale"},
	} {
		cfg := loadExample(t, "classic-mining.yaml")
		tc.edit(cfg)
		err := CheckMining(cfg)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
