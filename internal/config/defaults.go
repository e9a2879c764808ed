package config

import (
	"strconv"
	"time"
)

// Defaults for everything the fleet description may leave unset.
const (
	DefaultNetwork        = "devnet"
	DefaultDevChainID     = 1337
	DefaultFollowers      = 2
	DefaultBlockTime      = time.Second
	DefaultTxPerBlock     = 4
	DefaultGatewayListen  = "127.0.0.1:8545"
	DefaultMaxLag         = 2
	DefaultOutlierGap     = 32
	DefaultCacheBytes     = 64 << 20
	DefaultHeapFloor      = 64 << 20
	DefaultMaxBatch       = 100
	DefaultMaxBodyBytes   = 5 << 20
	DefaultRequestTimeout = 30 * time.Second
	DefaultOpsListen      = "127.0.0.1:6060"
	DefaultReadHeader     = 10 * time.Second
	DefaultIdle           = 2 * time.Minute
	DefaultAgentMaxLag    = 3
	DefaultSnapshotEvery  = 10 * time.Minute
	DefaultSnapshotKeep   = 2
	DefaultMaxHeadAge     = 2 * time.Minute
)

// Default returns the configuration used when no file is given.
func Default() *Config {
	c := &Config{}
	c.applyDefaults()
	return c
}

// applyDefaults fills every unset field. It never overrides a value the file
// set, including explicit zeros where zero is meaningful (followers: 0).
func (c *Config) applyDefaults() {
	if c.Network.Name == "" {
		c.Network.Name = DefaultNetwork
	}
	if c.Network.Name == DefaultNetwork && c.Network.ChainID == 0 {
		c.Network.ChainID = DefaultDevChainID
	}
	c.Devnet.applyDefaults()
	c.Gateway.applyDefaults()
	c.Agent.applyDefaults()
	if c.Ops.Listen == "" {
		c.Ops.Listen = DefaultOpsListen
	}
	for i := range c.Nodes {
		if c.Nodes[i].Name == "" {
			c.Nodes[i].Name = "node-" + strconv.Itoa(i+1)
		}
	}
	c.applyDeployDefaults()
	c.Mining.applyDefaults(c.Network.Name)
}

func (d *Devnet) applyDefaults() {
	if d.Followers == nil {
		d.Followers = ptr(DefaultFollowers)
	}
	if d.BlockTime == 0 {
		d.BlockTime = DefaultBlockTime
	}
	if d.TxPerBlock == nil {
		d.TxPerBlock = ptr(DefaultTxPerBlock)
	}
	if d.LogIndex == nil {
		d.LogIndex = ptr(true)
	}
	if sn := &d.Snapshots; sn.Every == nil {
		sn.Every = ptr(DefaultSnapshotEvery)
	}
	if d.Snapshots.Keep == 0 {
		d.Snapshots.Keep = DefaultSnapshotKeep
	}
}

func (g *Gateway) applyDefaults() {
	if g.Listen == "" {
		g.Listen = DefaultGatewayListen
	}
	if g.MaxLag == nil {
		g.MaxLag = ptr[uint64](DefaultMaxLag)
	}
	if g.OutlierGap == nil {
		g.OutlierGap = ptr[uint64](DefaultOutlierGap)
	}
	if g.HeapFloor == nil {
		g.HeapFloor = ptr[int64](DefaultHeapFloor)
	}
	if g.Cache.MaxBytes == nil {
		g.Cache.MaxBytes = ptr[int64](DefaultCacheBytes)
	}
	if g.MergeInFlight == nil {
		g.MergeInFlight = ptr(true)
	}
	if g.MaxBatch == 0 {
		g.MaxBatch = DefaultMaxBatch
	}
	if g.MaxBodyBytes == 0 {
		g.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if g.RequestTimeout == 0 {
		g.RequestTimeout = DefaultRequestTimeout
	}
	if g.ReadHeaderTimeout == 0 {
		g.ReadHeaderTimeout = DefaultReadHeader
	}
	if g.IdleTimeout == 0 {
		g.IdleTimeout = DefaultIdle
	}
}

func (a *Agent) applyDefaults() {
	if a.MaxLag == nil {
		a.MaxLag = ptr[uint64](DefaultAgentMaxLag)
	}
	if a.MaxHeadAge == 0 {
		a.MaxHeadAge = DefaultMaxHeadAge
	}
	if e := a.EMF; e != nil {
		if e.Namespace == "" {
			e.Namespace = "ethfleet"
		}
		if e.Every == 0 {
			e.Every = time.Minute
		}
	}
	if sn := a.Snapshots; sn != nil {
		if sn.Keep == 0 {
			sn.Keep = DefaultSnapshotKeep
		}
		if sn.Drain == 0 {
			sn.Drain = 30 * time.Second
		}
		if sn.Docker == "" {
			sn.Docker = "/var/run/docker.sock"
		}
		if sn.Client == "" {
			sn.Client = "geth"
		}
	}
	if d := a.DNS; d != nil && d.TTL == 0 {
		d.TTL = time.Minute
	}
}

func ptr[T any](v T) *T { return &v }
