package render

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/config"
)

// Ports the ethfleet processes listen on inside every target.
const (
	GatewayPort = 8545
	OpsPort     = 6060
	// AgentOpsPort is the agent's ops port (/ready, /metrics), beside the
	// clients of its node.
	AgentOpsPort = 6060
	// DataDir is where a node's volume is mounted in every container;
	// the clients keep their state in DataDir/execution and
	// DataDir/consensus.
	DataDir = "/data"
	// ExecutionDir holds the execution client's state: what snapshots
	// are of and restores fill.
	ExecutionDir = DataDir + "/execution"
	// JWTFile is where the pair's engine API secret is mounted.
	JWTFile = "/secrets/jwt.hex"
	// DockerSocket is the Docker Engine API, mounted into the
	// snapshotter's agent at the path it has on the host.
	DockerSocket = "/var/run/docker.sock"
)

// NodeURLs are where a node's services are reached from inside a target.
type NodeURLs struct {
	RPC, WS, Beacon string
}

// Locate says where a target puts a node's clients: host is the execution
// client's host name, beacon the consensus client's (often the same).
func Locate(n config.Node, host, beacon string) NodeURLs {
	ec, _ := clients.Lookup(clients.Execution, n.Execution.Client)
	u := NodeURLs{
		RPC: fmt.Sprintf("http://%s:%d", host, ec.Port("rpc")),
		WS:  fmt.Sprintf("ws://%s:%d", host, ec.WSURLPort()),
	}
	if n.Consensus != nil {
		cc, _ := clients.Lookup(clients.Consensus, n.Consensus.Client)
		u.Beacon = fmt.Sprintf("http://%s:%d", beacon, cc.Port("beacon"))
	}
	return u
}

// Args returns the command lines of a node's clients for a target that
// mounts the volume at DataDir and the JWT secret at JWTFile; engineHost is
// where the consensus client reaches the execution client's engine API.
// A node without a consensus client gets a nil consensus command line.
func Args(cfg *config.Config, n config.Node, engineHost string) (execution, consensus []string) {
	ec, _ := clients.Lookup(clients.Execution, n.Execution.Client)
	nw, _ := clients.LookupNetwork(cfg.Network.Name)
	jwt := ""
	if nw.ProofOfStake {
		jwt = JWTFile
	}
	execution = ec.Args(clients.Options{Network: nw.Name, DataDir: ExecutionDir, JWTFile: jwt, Extra: n.Execution.Args})
	if cn := n.Consensus; cn != nil {
		cc, _ := clients.Lookup(clients.Consensus, cn.Client)
		consensus = cc.Args(clients.Options{
			Network: nw.Name, DataDir: DataDir + "/consensus", JWTFile: JWTFile,
			EngineURL:         fmt.Sprintf("http://%s:%d", engineHost, ec.Port("engine")),
			CheckpointSyncURL: cn.CheckpointSyncURL, Extra: cn.Args,
		})
	}
	return execution, consensus
}

// fleetDoc is the part of a fleet description the gateway and the agent
// read, written with only the keys they use.
type fleetDoc struct {
	Network    config.Network     `yaml:"network"`
	Nodes      []nodeDoc          `yaml:"nodes"`
	References []config.Reference `yaml:"references,omitempty"`
	Gateway    *config.Gateway    `yaml:"gateway,omitempty"`
	Agent      *agentDoc          `yaml:"agent,omitempty"`
	Ops        config.Ops         `yaml:"ops"`
}

type nodeDoc struct {
	Name    string `yaml:"name"`
	RPC     string `yaml:"rpc"`
	WS      string `yaml:"ws,omitempty"`
	Beacon  string `yaml:"beacon,omitempty"`
	DataDir string `yaml:"dataDir,omitempty"`
}

type agentDoc struct {
	Node       string                 `yaml:"node"`
	MaxLag     *uint64                `yaml:"maxLag"`
	MaxHeadAge string                 `yaml:"maxHeadAge"`
	MinPeers   uint64                 `yaml:"minPeers"`
	DNS        *config.AgentDNS       `yaml:"dns,omitempty"`
	EMF        *config.AgentEMF       `yaml:"emf,omitempty"`
	Snapshots  *config.AgentSnapshots `yaml:"snapshots,omitempty"`
}

func nodes(cfg *config.Config, at func(config.Node) NodeURLs) []nodeDoc {
	var docs []nodeDoc
	for _, n := range cfg.DeployedNodes() {
		u := at(n)
		docs = append(docs, nodeDoc{Name: n.Name, RPC: u.RPC, WS: u.WS, Beacon: u.Beacon})
	}
	return docs
}

// GatewayConfig returns the fleet description a deployed gateway runs
// from: every deployed node at the address at gives it, the references,
// and the gateway section as configured but listening on all interfaces
// of its container or host (the target decides who reaches it; TLS ends
// at the target's load balancer or ingress).
func GatewayConfig(cfg *config.Config, at func(config.Node) NodeURLs) ([]byte, error) {
	g := cfg.Gateway
	g.Listen = fmt.Sprintf("0.0.0.0:%d", GatewayPort)
	g.TLS = config.TLS{}
	doc := fleetDoc{
		Network: cfg.Network, Nodes: nodes(cfg, at), References: cfg.References,
		Gateway: &g, Ops: config.Ops{Listen: fmt.Sprintf("0.0.0.0:%d", OpsPort)},
	}
	return marshal(doc)
}

// AgentOptions are the target-specific parts of an agent's description.
type AgentOptions struct {
	// DNS keeps a Route53 record of the node (AWS).
	DNS *config.AgentDNS
	// EMF writes CloudWatch metric lines (AWS).
	EMF bool
	// Containers are the Docker containers of the node's clients,
	// consensus first: the snapshotter's agent stops them for a snapshot
	// (see Snapshotter).
	Containers []string
	// Hold is the directory the snapshotter's agent shares with the
	// container that starts its execution client through `ethfleet hold
	// run` (Kubernetes).
	Hold string
}

// Snapshotter reports whether node is the fleet's snapshotter: its agent
// then needs a way to stop its clients (the Docker API's socket, or a
// hold directory on Kubernetes) and write access to the data volume.
func Snapshotter(cfg *config.Config, node string) bool {
	sn := cfg.Snapshots
	return !sn.Store.IsZero() && sn.Every > 0 && sn.Snapshotter == node
}

// AgentConfig returns the fleet description the agent of node runs from:
// the whole fleet, so it can tell how far its node trails, with its own
// node's data directory at ExecutionDir (for the free-space metric, and
// the snapshots of the snapshotter).
func AgentConfig(cfg *config.Config, node string, at func(config.Node) NodeURLs, o AgentOptions) ([]byte, error) {
	docs := nodes(cfg, at)
	var self *config.Node
	for i, n := range cfg.DeployedNodes() {
		if n.Name == node {
			docs[i].DataDir, self = ExecutionDir, &n
		}
	}
	if self == nil {
		return nil, fmt.Errorf("render: %q is not a deployed node", node)
	}
	a := cfg.Agent
	doc := fleetDoc{
		Network: cfg.Network, Nodes: docs, References: cfg.References,
		Agent: &agentDoc{Node: node, MaxLag: a.MaxLag, MaxHeadAge: a.MaxHeadAge.String(), MinPeers: a.MinPeers, DNS: o.DNS},
		Ops:   config.Ops{Listen: fmt.Sprintf("0.0.0.0:%d", AgentOpsPort)},
	}
	if Snapshotter(cfg, node) && (len(o.Containers) > 0 || o.Hold != "") {
		sn := cfg.Snapshots
		doc.Agent.Snapshots = &config.AgentSnapshots{
			Store: sn.Store, Every: sn.Every, Keep: sn.Keep, Drain: 30 * time.Second,
			Containers: o.Containers, Hold: o.Hold, Client: self.Execution.Client,
		}
		if len(o.Containers) > 0 {
			doc.Agent.Snapshots.Docker = DockerSocket
		}
	}
	if o.EMF {
		doc.Agent.EMF = &config.AgentEMF{Namespace: "ethfleet", Every: time.Minute}
	}
	return marshal(doc)
}

func marshal(doc any) ([]byte, error) {
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return b, nil
}
