package config

import (
	"time"

	"github.com/ethfleet/ethfleet/internal/clients"
)

// Defaults of the deploy sections.
const (
	// DefaultImage is the ethfleet image the deploy targets run; build
	// your own from the Dockerfile and set aws/kubernetes/compose.image.
	DefaultImage               = "ghcr.io/ethfleet/ethfleet:0.6.0"
	DefaultGatewayReplicas     = 2
	DefaultFleetSnapshotEvery  = 24 * time.Hour
	DefaultFleetSnapshotKeep   = 3
	DefaultVolumeType          = "gp3"
	DefaultVolumeIOPS          = 6000
	DefaultVolumeThroughput    = 500
	DefaultCPU                 = 4
	DefaultHostedZone          = "ethfleet.internal"
	DefaultGatewayInstanceType = "c7i.large"
	DefaultVPCCIDR             = "10.40.0.0/16"
	DefaultNamespace           = "ethfleet"
	DefaultRPCClientLabel      = "ethfleet.io/rpc-client=true"
)

// Deployed reports whether the node is one ethfleet deploys: it names its
// execution client.
func (n *Node) Deployed() bool { return n.Execution != nil }

// DeployedNodes returns the nodes ethfleet deploys.
func (c *Config) DeployedNodes() []Node {
	var nodes []Node
	for _, n := range c.Nodes {
		if n.Deployed() {
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// applyDeployDefaults fills the deploy sections and every deployed node.
func (c *Config) applyDeployDefaults() {
	net, known := clients.LookupNetwork(c.Network.Name)
	if known && c.Network.ChainID == 0 {
		c.Network.ChainID = net.ChainID
	}
	for i := range c.Nodes {
		if n := &c.Nodes[i]; n.Deployed() {
			n.applyDeployDefaults(net, !c.Snapshots.Store.IsZero())
		}
	}
	if c.Gateway.Replicas == 0 {
		c.Gateway.Replicas = DefaultGatewayReplicas
	}
	sn := &c.Snapshots
	if sn.Every == 0 {
		sn.Every = DefaultFleetSnapshotEvery
	}
	if sn.Keep == 0 {
		sn.Keep = DefaultFleetSnapshotKeep
	}
	if deployed := c.DeployedNodes(); sn.Snapshotter == "" && !sn.Store.IsZero() && len(deployed) > 0 {
		sn.Snapshotter = deployed[len(deployed)-1].Name
	}
	c.AWS.applyDefaults(c.Network.Name)
	k := &c.Kubernetes
	k.Namespace = or(k.Namespace, DefaultNamespace)
	k.Image = or(k.Image, DefaultImage)
	k.RPCClientLabel = or(k.RPCClientLabel, DefaultRPCClientLabel)
	cp := &c.Compose
	cp.Project = or(cp.Project, "ethfleet")
	cp.Image = or(cp.Image, DefaultImage)
	cp.Publish = or(cp.Publish, "127.0.0.1")
}

func (n *Node) applyDeployDefaults(net clients.Network, haveStore bool) {
	if ec, ok := clients.Lookup(clients.Execution, n.Execution.Client); ok {
		n.Execution.Image = or(n.Execution.Image, ec.Image)
	}
	if cc := n.Consensus; cc != nil {
		if c, ok := clients.Lookup(clients.Consensus, cc.Client); ok {
			cc.Image = or(cc.Image, c.Image)
		}
		cc.CheckpointSyncURL = or(cc.CheckpointSyncURL, net.CheckpointSyncURL)
	}
	if n.Resources.CPU == 0 {
		n.Resources.CPU = DefaultCPU
	}
	if n.Resources.MemoryGiB == 0 {
		n.Resources.MemoryGiB = 16
		if net.Name == "mainnet" {
			n.Resources.MemoryGiB = 32
		}
	}
	v := &n.Volume
	v.Type = or(v.Type, DefaultVolumeType)
	if v.SizeGiB == 0 {
		v.SizeGiB = net.DefaultVolumeGiB
	}
	if v.IOPS == 0 {
		v.IOPS = DefaultVolumeIOPS
	}
	if v.ThroughputMiBps == 0 && v.Type == "gp3" {
		v.ThroughputMiBps = DefaultVolumeThroughput
	}
	if n.Snapshot.Source == "" {
		n.Snapshot.Source = SnapshotNone
		if haveStore {
			n.Snapshot.Source = SnapshotStore
		}
	}
}

func (a *AWS) applyDefaults(network string) {
	a.StackName = or(a.StackName, "ethfleet-"+network)
	a.HostedZone = or(a.HostedZone, DefaultHostedZone)
	a.GatewayInstanceType = or(a.GatewayInstanceType, DefaultGatewayInstanceType)
	a.Image = or(a.Image, DefaultImage)
	if a.NewVPC != nil {
		a.NewVPC.CIDR = or(a.NewVPC.CIDR, DefaultVPCCIDR)
	}
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
