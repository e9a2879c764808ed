package config

import (
	"cmp"
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
	k.Namespace = cmp.Or(k.Namespace, DefaultNamespace)
	k.Image = cmp.Or(k.Image, DefaultImage)
	k.RPCClientLabel = cmp.Or(k.RPCClientLabel, DefaultRPCClientLabel)
	cp := &c.Compose
	cp.Project = cmp.Or(cp.Project, "ethfleet")
	cp.Image = cmp.Or(cp.Image, DefaultImage)
	cp.Publish = cmp.Or(cp.Publish, "127.0.0.1")
}

func (n *Node) applyDeployDefaults(net clients.Network, haveStore bool) {
	if ec, ok := clients.Lookup(clients.Execution, n.Execution.Client); ok {
		n.Execution.Image = cmp.Or(n.Execution.Image, ec.Image)
	}
	if cc := n.Consensus; cc != nil {
		if c, ok := clients.Lookup(clients.Consensus, cc.Client); ok {
			cc.Image = cmp.Or(cc.Image, c.Image)
		}
		cc.CheckpointSyncURL = cmp.Or(cc.CheckpointSyncURL, net.CheckpointSyncURL)
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
	v.Type = cmp.Or(v.Type, DefaultVolumeType)
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
	a.StackName = cmp.Or(a.StackName, "ethfleet-"+network)
	a.HostedZone = cmp.Or(a.HostedZone, DefaultHostedZone)
	a.GatewayInstanceType = cmp.Or(a.GatewayInstanceType, DefaultGatewayInstanceType)
	a.Image = cmp.Or(a.Image, DefaultImage)
	if a.NewVPC != nil {
		a.NewVPC.CIDR = cmp.Or(a.NewVPC.CIDR, DefaultVPCCIDR)
	}
}
