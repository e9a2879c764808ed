package render

import (
	"fmt"
	"net"
	"strconv"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/config"
)

// Ports and paths of the mining cluster inside every target.
const (
	// PoolPort is the pool's getWork HTTP server, which also answers
	// GET /stats; StratumPort its stratum server.
	PoolPort    = 8008
	StratumPort = 8009
	// DAGDir is where the miners' shared DAG directory is mounted.
	DAGDir = "/mnt/dag"
)

// Mining reports whether the fleet runs a mining cluster: mining.deploy
// is set.
func Mining(cfg *config.Config) bool { return cfg.Mining.Deploy != nil }

// CheckMining reports why a target cannot run the fleet's mining cluster:
// there is no work on a proof-of-stake network, and the pool's node
// defaults to the first deployed node.
func CheckMining(cfg *config.Config) error {
	if nw, _ := clients.LookupNetwork(cfg.Network.Name); nw.ProofOfStake {
		return fmt.Errorf("mining: %s is a proof-of-stake network: there is no work to mine", cfg.Network.Name)
	}
	if cfg.Mining.Node.IsZero() && len(cfg.DeployedNodes()) == 0 {
		return fmt.Errorf("mining: no deployed node serves the pool its work; set mining.node")
	}
	if cfg.Mining.Autoscale == nil {
		return fmt.Errorf("mining: the deployed miners need mining.autoscale")
	}
	return nil
}

// Stratum reports whether the pool serves stratum (mining.pool.stratum is
// not "off").
func Stratum(cfg *config.Config) bool { return cfg.Mining.Pool.Stratum != "off" }

// miningDoc is the part of a fleet description the mining commands read,
// with only the sections one of them uses.
type miningDoc struct {
	Network config.Network `yaml:"network"`
	Mining  miningSection  `yaml:"mining"`
	Ops     *config.Ops    `yaml:"ops,omitempty"`
}

type miningSection struct {
	Algorithm string         `yaml:"algorithm"`
	Node      *config.Secret `yaml:"node,omitempty"`
	Etherbase string         `yaml:"etherbase,omitempty"`
	// Pool is the pool's section (config.Pool), or only its address
	// (poolAddr) for the autoscaler.
	Pool      any               `yaml:"pool,omitempty"`
	Miner     *minerDoc         `yaml:"miner,omitempty"`
	Autoscale *config.Autoscale `yaml:"autoscale,omitempty"`
}

// poolAddr is where the autoscaler reads the pool.
type poolAddr struct {
	Listen string `yaml:"listen"`
}

// minerDoc is config.Miner without the keys left to their defaults.
type minerDoc struct {
	Pool    string `yaml:"pool"`
	Worker  string `yaml:"worker,omitempty"`
	Threads int    `yaml:"threads,omitempty"`
	DAGDir  string `yaml:"dagDir"`
}

// PoolConfig returns the description `ethfleet pool` runs from: mining.node
// as configured, or node when it is unset, and the pool section listening
// on all interfaces of its host or container at PoolPort and StratumPort
// (the target decides who reaches them), with its ops listener on OpsPort.
func PoolConfig(cfg *config.Config, node string) ([]byte, error) {
	m := cfg.Mining
	upstream := m.Node
	if upstream.IsZero() {
		upstream = config.NewSecret(node)
	}
	p := m.Pool
	p.Listen = fmt.Sprintf("0.0.0.0:%d", PoolPort)
	if Stratum(cfg) {
		p.Stratum = fmt.Sprintf("0.0.0.0:%d", StratumPort)
	}
	return marshal(miningDoc{
		Network: cfg.Network,
		Mining:  miningSection{Algorithm: m.Algorithm, Node: &upstream, Etherbase: m.Etherbase, Pool: &p},
		Ops:     &config.Ops{Listen: fmt.Sprintf("0.0.0.0:%d", OpsPort)},
	})
}

// PoolURL is the URL miners reach the pool at, host being its address in
// the target: stratum, or getWork over HTTP when stratum is off.
func PoolURL(cfg *config.Config, host string) string {
	if Stratum(cfg) {
		return "stratum+tcp://" + net.JoinHostPort(host, strconv.Itoa(StratumPort))
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(PoolPort))
}

// MinerConfig returns the description `ethfleet mine` runs from: the pool
// at PoolURL(cfg, poolHost), the DAG in DAGDir, and threads hashing when
// mining.miner.threads is unset (0: every CPU).
func MinerConfig(cfg *config.Config, poolHost string, threads int) ([]byte, error) {
	mn := cfg.Mining.Miner
	doc := minerDoc{Pool: PoolURL(cfg, poolHost), Worker: mn.Worker, Threads: mn.Threads, DAGDir: DAGDir}
	if doc.Threads == 0 {
		doc.Threads = threads
	}
	return marshal(miningDoc{
		Network: cfg.Network,
		Mining:  miningSection{Algorithm: cfg.Mining.Algorithm, Miner: &doc},
	})
}

// Scaler names what a target's autoscaler scales: its provider and the
// group, service or Deployment of the miners.
type Scaler struct {
	Provider                 string
	AutoScalingGroup, Region string
	Namespace, Deployment    string
	Ops                      string // the autoscaler's ops listener; empty: the default
	PoolHost                 string // where the autoscaler reaches the pool
}

// AutoscaleConfig returns the description `ethfleet autoscale` runs from:
// the band of mining.autoscale, scaling what s names. The autoscaler reads
// the pool's GET /stats at s.PoolHost:PoolPort, written as
// mining.pool.listen.
func AutoscaleConfig(cfg *config.Config, s Scaler) ([]byte, error) {
	if cfg.Mining.Autoscale == nil {
		return nil, fmt.Errorf("render: mining: the autoscaler needs mining.autoscale")
	}
	a := *cfg.Mining.Autoscale
	a.Provider, a.AutoScalingGroup, a.Region = s.Provider, s.AutoScalingGroup, s.Region
	a.Namespace, a.Deployment = s.Namespace, s.Deployment
	a.Cluster, a.Service = "", ""
	doc := miningDoc{
		Network: cfg.Network,
		Mining: miningSection{
			Algorithm: cfg.Mining.Algorithm, Pool: poolAddr{net.JoinHostPort(s.PoolHost, strconv.Itoa(PoolPort))}, Autoscale: &a,
		},
	}
	if s.Ops != "" {
		doc.Ops = &config.Ops{Listen: s.Ops}
	}
	return marshal(doc)
}
