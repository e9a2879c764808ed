package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/ebs"
)

// Limits on a deployed node's resources: below these no client pair
// keeps up with its chain.
const (
	minCPU              = 2
	minMemoryGiB        = 8
	minMainnetMemoryGiB = 16
)

// validateDeploy checks the deployed nodes and the fleet's snapshots.
// Target-specific settings (a VPC, a namespace) are checked by CheckTarget,
// when a target is rendered.
func (c *Config) validateDeploy(ps *problems) {
	nw, known := clients.LookupNetwork(c.Network.Name)
	deployed := c.DeployedNodes()
	if len(deployed) > 0 && !known {
		ps.add("network.name", "%q is not a network ethfleet deploys nodes for; one of %s", c.Network.Name, list(clients.NetworkNames()))
	}
	for i := range c.Nodes {
		n := &c.Nodes[i]
		key := fmt.Sprintf("nodes[%d]", i)
		if !n.Deployed() {
			if n.Consensus != nil || n.Volume != (Volume{}) || n.Resources != (Resources{}) || n.Snapshot != (NodeSnapshot{}) {
				ps.add(key+".execution", "is required: consensus, resources, volume and snapshot describe a deployed node, which names its execution client")
			}
			continue
		}
		if !n.RPC.IsZero() || !n.WS.IsZero() || !n.Beacon.IsZero() {
			ps.add(key+".rpc", "a deployed node's addresses come from where it is deployed: leave out rpc, ws and beacon")
		}
		if known {
			n.validateClients(ps, key, nw)
		}
		n.validateVolume(ps, key, nw, known)
		n.validateSnapshot(ps, key, c)
	}
	if g := c.Gateway.Replicas; g < 1 {
		ps.add("gateway.replicas", "must be at least 1, got %d", g)
	}
	sn := c.Snapshots
	if !sn.Store.IsZero() {
		checkURL(ps, "snapshots.store", sn.Store, "file", "s3")
	}
	if sn.Keep < 1 {
		ps.add("snapshots.keep", "must be at least 1, got %d", sn.Keep)
	}
	if sn.Every < 0 {
		ps.add("snapshots.every", "must not be negative, got %s", sn.Every)
	}
	if s := sn.Snapshotter; s != "" && !slices.ContainsFunc(deployed, func(n Node) bool { return n.Name == s }) {
		ps.add("snapshots.snapshotter", "%q is not the name of a deployed node (one with execution)", s)
	}
}

func (n *Node) validateClients(ps *problems, key string, net clients.Network) {
	ec, ok := clients.Lookup(clients.Execution, n.Execution.Client)
	switch {
	case !ok:
		ps.add(key+".execution.client", "unknown execution client %q; one of %s", n.Execution.Client, list(clients.Names(clients.Execution)))
	case !ec.Supports(net.Name):
		ps.add(key+".execution.client", "%s does not run %s; clients that do: %s", ec.Name, net.Name, list(supporting(clients.Execution, net.Name)))
	}
	if ok || n.Execution.Image != "" {
		checkImage(ps, key+".execution.image", n.Execution.Image)
	}
	cc := n.Consensus
	switch {
	case net.ProofOfStake && cc == nil:
		ps.add(key+".consensus", "is required on %s, a proof-of-stake network: one of %s", net.Name, list(clients.Names(clients.Consensus)))
	case !net.ProofOfStake && cc != nil:
		ps.add(key+".consensus", "%s is a proof-of-work network: its execution client runs alone, leave out consensus", net.Name)
	case cc != nil:
		c, ok := clients.Lookup(clients.Consensus, cc.Client)
		switch {
		case !ok:
			ps.add(key+".consensus.client", "unknown consensus client %q; one of %s", cc.Client, list(clients.Names(clients.Consensus)))
		case !c.Supports(net.Name):
			ps.add(key+".consensus.client", "%s does not run %s; clients that do: %s", c.Name, net.Name, list(supporting(clients.Consensus, net.Name)))
		}
		if ok || cc.Image != "" {
			checkImage(ps, key+".consensus.image", cc.Image)
		}
		if u, err := url.Parse(cc.CheckpointSyncURL); err != nil || u.Scheme != "https" || u.Host == "" {
			ps.add(key+".consensus.checkpointSyncUrl", "%q is not an https:// URL", cc.CheckpointSyncURL)
		}
	}
	r := n.Resources
	if r.CPU < minCPU {
		ps.add(key+".resources.cpu", "must be at least %d cores, got %d", minCPU, r.CPU)
	}
	minMem := minMemoryGiB
	if net.Name == "mainnet" {
		minMem = minMainnetMemoryGiB
	}
	if r.MemoryGiB < minMem {
		ps.add(key+".resources.memoryGiB", "must be at least %d GiB on %s, got %d", minMem, net.Name, r.MemoryGiB)
	}
}

func (n *Node) validateVolume(ps *problems, key string, net clients.Network, known bool) {
	v := n.Volume
	switch v.Type {
	case "gp3":
		if err := ebs.CheckGP3(int32(v.IOPS), int32(v.ThroughputMiBps), 0); err != nil {
			ps.add(key+".volume", "%v", err)
		}
	case "io2":
		if v.ThroughputMiBps != 0 {
			ps.add(key+".volume.throughputMiBps", "is set by IOPS on io2: leave it out")
		}
	default:
		ps.add(key+".volume.type", "must be gp3 or io2 (a node needs SSD IOPS), got %q", v.Type)
	}
	if known && v.SizeGiB < net.MinVolumeGiB {
		ps.add(key+".volume.sizeGiB", "%d GiB is too small for %s: a full node needs at least %d GiB (default %d)", v.SizeGiB, net.Name, net.MinVolumeGiB, net.DefaultVolumeGiB)
	}
}

func (n *Node) validateSnapshot(ps *problems, key string, c *Config) {
	s := n.Snapshot
	switch s.Source {
	case SnapshotStore:
		if c.Snapshots.Store.IsZero() {
			ps.add(key+".snapshot.source", "store needs snapshots.store")
		}
	case SnapshotVolume:
		if s.VolumeSnapshot == "" {
			ps.add(key+".snapshot.volumeSnapshot", "is required with source volumeSnapshot: the name of a Kubernetes VolumeSnapshot")
		}
	case SnapshotEBS, SnapshotNone:
	default:
		ps.add(key+".snapshot.source", "must be store, ebs, volumeSnapshot or none, got %q", s.Source)
	}
	if s.VolumeSnapshot != "" && s.Source != SnapshotVolume {
		ps.add(key+".snapshot.volumeSnapshot", "is used only with source volumeSnapshot")
	}
}

func checkImage(ps *problems, key, image string) {
	if !clients.Pinned(image) {
		ps.add(key, "%q is not pinned: name a version tag (client:v1.2.3) or a digest (@sha256:…)", image)
	}
}

// supporting lists the clients of layer that run network.
func supporting(layer clients.Layer, network string) []string {
	var names []string
	for _, name := range clients.Names(layer) {
		if c, _ := clients.Lookup(layer, name); c.Supports(network) {
			names = append(names, name)
		}
	}
	return names
}

func list(names []string) string { return strings.Join(names, ", ") }

// validateExposure refuses a gateway reachable beyond this host that lets
// anyone in.
func (g *Gateway) validateExposure(ps *problems) {
	host, _, err := net.SplitHostPort(g.Listen)
	if err != nil || len(g.APIKeys) > 0 {
		return
	}
	if ip, err := netip.ParseAddr(host); host == "localhost" || (err == nil && ip.IsLoopback()) {
		return
	}
	ps.add("gateway.listen", "%q is reachable beyond this host, so gateway.apiKeys must list at least one key (or listen on 127.0.0.1)", g.Listen)
}

var (
	vpcID      = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	subnetID   = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	arnACM     = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]+$`)
	arnSNS     = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$`)
	region     = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)
	instType   = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	stackName  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
	dnsLabel   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	hexAddress = regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`)
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`) // S3's general purpose buckets
)
