package config

import (
	"cmp"
	"fmt"
	"time"
)

// Mining configures the proof-of-work mining cluster: the pool miners
// connect to (`ethfleet pool`), the CPU miner (`ethfleet mine`) and the
// controller that holds the cluster's verified hashrate in a band
// (`ethfleet autoscale`).
type Mining struct {
	// Algorithm is ethash or etchash (default: etchash on classic and
	// mordor, ethash otherwise).
	Algorithm string `yaml:"algorithm"`
	// Node is the JSON-RPC URL of the node whose getWork the pool serves.
	Node Secret `yaml:"node"`
	// Etherbase is the address blocks pay, watched for its balance.
	Etherbase string `yaml:"etherbase"`
	Pool      Pool   `yaml:"pool"`
	Miner     Miner  `yaml:"miner"`
	// Autoscale, when set, holds the verified hashrate in a band.
	Autoscale *Autoscale `yaml:"autoscale"`
	// Deploy, when set, has `ethfleet render aws`, `render k8s` and
	// `render compose` run the cluster beside the fleet: the pool, miners
	// whose count the autoscaler owns (so Autoscale is required), and
	// their shared DAG.
	Deploy *MiningDeploy `yaml:"deploy"`
}

// MiningDeploy configures the mining cluster a deploy target runs. The
// target sets the autoscaler's provider and what it scales; mining.node
// defaults to the first deployed node.
type MiningDeploy struct {
	// PoolInstanceType is the EC2 type of the pool's host, which also
	// runs the autoscaler (default c7i.large).
	PoolInstanceType string `yaml:"poolInstanceType"`
	// MinerInstanceTypes are the EC2 types miners run on, as spot
	// instances, most preferred first (default c7i.xlarge, c7a.xlarge,
	// c6i.xlarge, c6a.xlarge, m7i.xlarge).
	MinerInstanceTypes []string `yaml:"minerInstanceTypes"`
	// MinerResources are a miner pod's on Kubernetes (default 2 cores,
	// 4 GiB).
	MinerResources Resources `yaml:"minerResources"`
	// DAGStorageClass is the storage class of the DAG's ReadWriteMany
	// volume claim on Kubernetes (default: the cluster's).
	DAGStorageClass string `yaml:"dagStorageClass"`
}

// Pool configures `ethfleet pool`.
type Pool struct {
	// Listen is the getWork HTTP address (default 127.0.0.1:8008);
	// Stratum the stratum TCP address (default 127.0.0.1:8009; "" off
	// only by writing stratum: "off").
	Listen  string `yaml:"listen"`
	Stratum string `yaml:"stratum"`
	// ShareDifficulty is a new worker's share difficulty (default
	// 100000); vardiff then moves it so that Window holds TargetShares.
	ShareDifficulty uint64 `yaml:"shareDifficulty"`
	// MinShareDifficulty bounds vardiff from below (default 1).
	MinShareDifficulty uint64 `yaml:"minShareDifficulty"`
	// Window is the time the hashrate is estimated over (default 10m).
	Window time.Duration `yaml:"window"`
	// TargetShares is how many shares vardiff aims for per window
	// (default 384: ±10% at 95%).
	TargetShares int `yaml:"targetShares"`
	// MaxSharesPerSecond caps one worker's submissions; more are
	// refused (default 20).
	MaxSharesPerSecond float64 `yaml:"maxSharesPerSecond"`
	// PollInterval is how often the node's work is fetched (default
	// 500ms).
	PollInterval time.Duration `yaml:"pollInterval"`
}

// Miner configures `ethfleet mine`.
type Miner struct {
	// Pool is the pool's URL: http://HOST:PORT (getWork) or
	// stratum+tcp://HOST:PORT.
	Pool string `yaml:"pool"`
	// Worker names the miner to the pool (default: the host name).
	Worker string `yaml:"worker"`
	// Threads hashing (default: the number of CPUs).
	Threads int `yaml:"threads"`
	// DAGDir is where the DAG files are shared by the miners of a host or
	// a shared file system; empty means light mode (no DAG).
	DAGDir string `yaml:"dagDir"`
}

// Autoscale configures `ethfleet autoscale`.
type Autoscale struct {
	// MinHashrate and MaxHashrate, in hashes per second, are the band
	// the verified hashrate is held in.
	MinHashrate float64 `yaml:"minHashrate"`
	MaxHashrate float64 `yaml:"maxHashrate"`
	// MinMiners and MaxMiners clamp the desired count (default 0 and 10).
	MinMiners int  `yaml:"minMiners"`
	MaxMiners *int `yaml:"maxMiners"`
	// ScaleUpDelay and ScaleDownDelay are how long the hashrate must stay
	// out of the band before acting (default 2m and 10m); Cooldown is the
	// least time between two changes (default 5m).
	ScaleUpDelay   time.Duration `yaml:"scaleUpDelay"`
	ScaleDownDelay time.Duration `yaml:"scaleDownDelay"`
	Cooldown       time.Duration `yaml:"cooldown"`
	// Interval is how often the pool is read (default 30s).
	Interval time.Duration `yaml:"interval"`
	// Provider runs the miners: local (ethfleet mine processes, the
	// default), aws-asg, aws-ecs or k8s.
	Provider string `yaml:"provider"`
	// AutoScalingGroup (aws-asg), Cluster and Service (aws-ecs),
	// Namespace and Deployment (k8s) name what is scaled; Region is the
	// AWS region.
	AutoScalingGroup string `yaml:"autoScalingGroup"`
	Cluster          string `yaml:"cluster"`
	Service          string `yaml:"service"`
	Namespace        string `yaml:"namespace"`
	Deployment       string `yaml:"deployment"`
	Region           string `yaml:"region"`
}

// Mining defaults.
const (
	DefaultPoolListen         = "127.0.0.1:8008"
	DefaultPoolStratum        = "127.0.0.1:8009"
	DefaultShareDifficulty    = 100000
	DefaultShareWindow        = 10 * time.Minute
	DefaultTargetShares       = 384
	DefaultMaxSharesPerSecond = 20
	DefaultWorkPoll           = 500 * time.Millisecond
	DefaultMaxMiners          = 10
	DefaultPoolInstanceType   = "c7i.large"
)

// DefaultMinerInstanceTypes are the miners' EC2 types: compute optimised
// (mining is CPU-bound), four vCPUs, several families, so that spot
// capacity is found in more pools.
var DefaultMinerInstanceTypes = []string{"c7i.xlarge", "c7a.xlarge", "c6i.xlarge", "c6a.xlarge", "m7i.xlarge"}

func (m *Mining) applyDefaults(network string) {
	if m.Algorithm == "" {
		m.Algorithm = "ethash"
		if network == "classic" || network == "mordor" {
			m.Algorithm = "etchash"
		}
	}
	p := &m.Pool
	p.Listen = cmp.Or(p.Listen, DefaultPoolListen)
	p.Stratum = cmp.Or(p.Stratum, DefaultPoolStratum)
	if p.ShareDifficulty == 0 {
		p.ShareDifficulty = DefaultShareDifficulty
	}
	if p.MinShareDifficulty == 0 {
		p.MinShareDifficulty = 1
	}
	if p.Window == 0 {
		p.Window = DefaultShareWindow
	}
	if p.TargetShares == 0 {
		p.TargetShares = DefaultTargetShares
	}
	if p.MaxSharesPerSecond == 0 {
		p.MaxSharesPerSecond = DefaultMaxSharesPerSecond
	}
	if p.PollInterval == 0 {
		p.PollInterval = DefaultWorkPoll
	}
	if a := m.Autoscale; a != nil {
		if a.MaxMiners == nil {
			a.MaxMiners = ptr(DefaultMaxMiners)
		}
		for _, d := range []struct {
			v   *time.Duration
			def time.Duration
		}{{&a.ScaleUpDelay, 2 * time.Minute}, {&a.ScaleDownDelay, 10 * time.Minute}, {&a.Cooldown, 5 * time.Minute}, {&a.Interval, 30 * time.Second}} {
			if *d.v == 0 {
				*d.v = d.def
			}
		}
		a.Provider = cmp.Or(a.Provider, "local")
	}
	if d := m.Deploy; d != nil {
		d.PoolInstanceType = cmp.Or(d.PoolInstanceType, DefaultPoolInstanceType)
		if len(d.MinerInstanceTypes) == 0 {
			d.MinerInstanceTypes = append([]string(nil), DefaultMinerInstanceTypes...)
		}
		if d.MinerResources.CPU == 0 {
			d.MinerResources.CPU = 2
		}
		if d.MinerResources.MemoryGiB == 0 {
			d.MinerResources.MemoryGiB = 4
		}
	}
}

func (m *Mining) validate(ps *problems) {
	if m.Algorithm != "ethash" && m.Algorithm != "etchash" {
		ps.add("mining.algorithm", "must be ethash or etchash, got %q", m.Algorithm)
	}
	if !m.Node.IsZero() {
		checkURL(ps, "mining.node", m.Node, "http", "https")
	}
	if e := m.Etherbase; e != "" && !hexAddress.MatchString(e) {
		ps.add("mining.etherbase", "%q is not an address (0x and 40 hex digits)", e)
	}
	p := m.Pool
	checkListen(ps, "mining.pool.listen", p.Listen)
	if p.Stratum != "off" {
		checkListen(ps, "mining.pool.stratum", p.Stratum)
	}
	if p.MinShareDifficulty > p.ShareDifficulty {
		ps.add("mining.pool.minShareDifficulty", "must not exceed shareDifficulty (%d), got %d", p.ShareDifficulty, p.MinShareDifficulty)
	}
	if p.TargetShares < 1 {
		ps.add("mining.pool.targetShares", "must be at least 1, got %d", p.TargetShares)
	}
	if p.Window < time.Second {
		ps.add("mining.pool.window", "must be at least 1s, got %s", p.Window)
	}
	if p.MaxSharesPerSecond <= 0 {
		ps.add("mining.pool.maxSharesPerSecond", "must be positive, got %v", p.MaxSharesPerSecond)
	}
	if a := m.Autoscale; a != nil {
		a.validate(ps)
	}
	if d := m.Deploy; d != nil {
		d.validate(ps, m.Autoscale != nil)
	}
}

func (d *MiningDeploy) validate(ps *problems, autoscaled bool) {
	if !autoscaled {
		ps.add("mining.deploy", "needs mining.autoscale: the autoscaler owns the deployed miners' count")
	}
	if !instType.MatchString(d.PoolInstanceType) {
		ps.add("mining.deploy.poolInstanceType", "%q is not an EC2 instance type such as c7i.large", d.PoolInstanceType)
	}
	for i, t := range d.MinerInstanceTypes {
		if !instType.MatchString(t) {
			ps.add(fmt.Sprintf("mining.deploy.minerInstanceTypes[%d]", i), "%q is not an EC2 instance type such as c7i.xlarge", t)
		}
	}
	if r := d.MinerResources; r.CPU < 1 || r.MemoryGiB < 1 {
		ps.add("mining.deploy.minerResources", "needs at least 1 core and 1 GiB, got %d and %d", r.CPU, r.MemoryGiB)
	}
}

func (a *Autoscale) validate(ps *problems) {
	if a.MinHashrate <= 0 || a.MaxHashrate <= a.MinHashrate {
		ps.add("mining.autoscale", "needs 0 < minHashrate < maxHashrate, got %v and %v", a.MinHashrate, a.MaxHashrate)
	}
	if a.MinMiners < 0 || *a.MaxMiners < a.MinMiners || *a.MaxMiners < 1 {
		ps.add("mining.autoscale.maxMiners", "needs 0 ≤ minMiners ≤ maxMiners and maxMiners ≥ 1, got %d and %d", a.MinMiners, *a.MaxMiners)
	}
	need := map[string][]string{
		"local":   nil,
		"aws-asg": {"autoScalingGroup"},
		"aws-ecs": {"cluster", "service"},
		"k8s":     {"namespace", "deployment"},
	}
	keys, ok := need[a.Provider]
	if !ok {
		ps.add("mining.autoscale.provider", "must be local, aws-asg, aws-ecs or k8s, got %q", a.Provider)
	}
	values := map[string]string{"autoScalingGroup": a.AutoScalingGroup, "cluster": a.Cluster, "service": a.Service, "namespace": a.Namespace, "deployment": a.Deployment}
	for _, k := range keys {
		if values[k] == "" {
			ps.add("mining.autoscale."+k, "is required with provider %s", a.Provider)
		}
	}
}
