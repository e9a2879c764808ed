package config

import "time"

// Config is the fleet description.
type Config struct {
	Network    Network     `yaml:"network"`
	Devnet     Devnet      `yaml:"devnet"`
	Nodes      []Node      `yaml:"nodes"`
	References []Reference `yaml:"references"`
	Gateway    Gateway     `yaml:"gateway"`
	Agent      Agent       `yaml:"agent"`
	Ops        Ops         `yaml:"ops"`
	// Snapshots configure the deployed fleet's snapshots (the devnet's are
	// under devnet).
	Snapshots FleetSnapshots `yaml:"snapshots"`
	// AWS, Kubernetes and Compose configure the deploy targets.
	AWS        AWS        `yaml:"aws"`
	Kubernetes Kubernetes `yaml:"kubernetes"`
	Compose    Compose    `yaml:"compose"`
	// Mining configures the proof-of-work mining cluster.
	Mining Mining `yaml:"mining"`

	// source and lines place keys for problems found after loading
	// (CheckTarget).
	source string
	lines  map[string]int
}

// Network names the chain the fleet serves.
type Network struct {
	// Name is a label such as "devnet", "mainnet" or "sepolia".
	Name string `yaml:"name"`
	// ChainID, when set, is checked against every node's eth_chainId.
	ChainID uint64 `yaml:"chainId"`
}

// Devnet configures the embedded dev chain that `ethfleet up` runs.
type Devnet struct {
	// DataDir holds the nodes' chain data; empty means the user's cache
	// directory, chosen by the command.
	DataDir string `yaml:"dataDir"`
	// Followers is how many nodes follow the producer (default 2).
	Followers *int `yaml:"followers"`
	// BlockTime is the producer's block interval (default 1s).
	BlockTime time.Duration `yaml:"blockTime"`
	// TxPerBlock is how many transactions the generator sends per block.
	TxPerBlock *int `yaml:"txPerBlock"`
	// LogIndex keeps go-ethereum's log search index (default true); without
	// it eth_getLogs scans blocks and the nodes reopen faster.
	LogIndex *bool `yaml:"logIndex"`
	// Snapshots are taken of a follower on a schedule; a follower that
	// starts with an empty data directory restores the latest first.
	Snapshots Snapshots `yaml:"snapshots"`
}

// Snapshots configure where snapshots go and how often they are taken.
type Snapshots struct {
	// Store is file://PATH or s3://BUCKET/PREFIX (default: file:// the
	// snapshots directory beside the nodes' data).
	Store Secret `yaml:"store"`
	// Every is the time between snapshots (default 10m; 0s: never).
	Every *time.Duration `yaml:"every"`
	// Keep is how many snapshots are kept (default 2).
	Keep int `yaml:"keep"`
	// Snapshotter is the node that leaves rotation to be snapshotted
	// (default: the last follower).
	Snapshotter string `yaml:"snapshotter"`
}

// Node is one execution client the gateway serves from. A node that names
// its execution client can be deployed (render, deploy); one that does not
// is an existing node reached at RPC.
type Node struct {
	Name string `yaml:"name"`
	// RPC is the node's HTTP JSON-RPC URL; a deployed node's is worked out
	// by the target.
	RPC Secret `yaml:"rpc"`
	// WS is the node's WebSocket JSON-RPC URL; heads are pushed over it
	// when set and polled over RPC otherwise.
	WS Secret `yaml:"ws"`
	// Beacon is the node's consensus client's Beacon API URL, if it has
	// one: a node is ready only while its consensus client is synced.
	Beacon Secret `yaml:"beacon"`
	// DataDir is the node's data directory, where the agent can see it,
	// for the free-space metric.
	DataDir string `yaml:"dataDir"`

	// Execution and Consensus are the clients a deployed node runs.
	Execution *ExecutionClient `yaml:"execution"`
	Consensus *ConsensusClient `yaml:"consensus"`
	// Resources a deployed node needs, and its data volume.
	Resources Resources `yaml:"resources"`
	Volume    Volume    `yaml:"volume"`
	// Snapshot says where an empty data volume is filled from.
	Snapshot NodeSnapshot `yaml:"snapshot"`
}

// Reference is an outside JSON-RPC provider, used to measure lag and, where
// configured, as a last-resort fallback.
type Reference struct {
	Name string `yaml:"name"`
	RPC  Secret `yaml:"rpc"`
}

// Gateway configures the JSON-RPC endpoint.
type Gateway struct {
	// Listen is the address of the HTTP server (default 127.0.0.1:8545).
	Listen string `yaml:"listen"`
	// MaxLag is how many blocks an upstream may trail the fleet's head and
	// still be served from (default 2).
	MaxLag *uint64 `yaml:"maxLag"`
	// OutlierGap is how far above the median head a node's head may be and
	// still be believed (default 32); a node further ahead is unfit.
	OutlierGap *uint64 `yaml:"outlierGap"`
	// BroadcastWrites sends eth_sendRawTransaction to every fit node at
	// once; by default it goes to one, and is never retried.
	BroadcastWrites bool `yaml:"broadcastWrites"`
	// Fallback serves from the references, in order, when no node of the
	// fleet is fit (default false: answer -32002 instead).
	Fallback bool `yaml:"fallback"`
	// MinPeers is the fewest devp2p peers a node may have and be served
	// from (default 0).
	MinPeers uint64 `yaml:"minPeers"`
	// Cache keeps answers that cannot change.
	Cache Cache `yaml:"cache"`
	// MergeInFlight answers identical reads in flight at the same moment
	// from one upstream fetch (default true).
	MergeInFlight *bool `yaml:"mergeInFlight"`
	// MaxBatch caps the number of calls in one batch (default 100).
	MaxBatch int `yaml:"maxBatch"`
	// UpstreamConcurrency bounds the messages in flight to each node
	// (default 0: no bound). Beyond it calls wait, and those that waited
	// go to the node together as one batch when a message returns: for
	// nodes with few cores, which would queue them anyway.
	UpstreamConcurrency int `yaml:"upstreamConcurrency"`
	// MaxBodyBytes caps a request body (default 5 MiB).
	MaxBodyBytes int64 `yaml:"maxBodyBytes"`
	// RequestTimeout bounds one client request, retries included
	// (default 30s).
	RequestTimeout time.Duration `yaml:"requestTimeout"`
	// ReadHeaderTimeout closes a connection whose request headers take
	// longer (default 10s); IdleTimeout closes an idle keep-alive
	// connection (default 2m).
	ReadHeaderTimeout time.Duration `yaml:"readHeaderTimeout"`
	IdleTimeout       time.Duration `yaml:"idleTimeout"`
	// Methods says which methods clients may call.
	Methods Methods `yaml:"methods"`
	// APIKeys, when any are listed, are required of every client, as
	// "Authorization: Bearer KEY" or as the path /KEY.
	APIKeys []APIKey `yaml:"apiKeys"`
	// RateLimit bounds how much each key and each client IP may ask.
	RateLimit RateLimit `yaml:"rateLimit"`
	// CORS lets browser pages from these origins call the gateway.
	CORS CORS `yaml:"cors"`
	// TLS serves HTTPS when both files are set.
	TLS TLS `yaml:"tls"`
	// Replicas is how many gateways a deploy target runs (default 2).
	Replicas int `yaml:"replicas"`
	// HeapFloor lets "ethfleet gateway" grow its heap to this many bytes
	// before the garbage collector runs (default 64 MiB; 0: Go's default,
	// as does setting GOGC): less CPU per request for some memory.
	HeapFloor *int64 `yaml:"heapFloor"`
}

// Cache bounds the gateway's cache.
type Cache struct {
	// MaxBytes is its size (default 64 MiB; 0 turns it off).
	MaxBytes *int64 `yaml:"maxBytes"`
}

// Methods is the gateway's method policy. A rule is a method name
// ("eth_sign") or, ending in "_", a namespace ("debug_").
type Methods struct {
	// Deny refuses matching methods; left unset it is admin_, debug_,
	// personal_, miner_, engine_, txpool_, clique_ and les_. Write
	// "deny: []" to refuse nothing.
	Deny []string `yaml:"deny"`
	// Allow, when not empty, refuses every method it does not match.
	Allow []string `yaml:"allow"`
}

// APIKey is a client's key and the name logs and metrics know it by.
type APIKey struct {
	Name string `yaml:"name"`
	Key  Secret `yaml:"key"`
}

// RateLimit configures token buckets; an unset bucket does not apply.
type RateLimit struct {
	PerKey *Limit `yaml:"perKey"`
	PerIP  *Limit `yaml:"perIP"`
	// MethodCost is what a call takes from the buckets (default 1).
	MethodCost map[string]int `yaml:"methodCost"`
}

// Limit is a token bucket: rate requests per second, bursts up to burst.
type Limit struct {
	Rate  float64 `yaml:"rate"`
	Burst int     `yaml:"burst"`
}

// CORS lists the origins browsers may call the gateway from ("*": any).
type CORS struct {
	Origins []string `yaml:"origins"`
}

// TLS names the certificate and key files, PEM encoded.
type TLS struct {
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
}

// Agent configures readiness: what `ethfleet agent` reports for its node
// and `ethfleet up` for each node of the fleet.
type Agent struct {
	// Node names the entry of nodes that `ethfleet agent` watches; the
	// other entries are its fleet.
	Node string `yaml:"node"`
	// MaxLag is how many blocks a ready node may trail the fleet's head or
	// a reference's (default 3).
	MaxLag *uint64 `yaml:"maxLag"`
	// MaxHeadAge is how old, by its timestamp, a ready node's head may be
	// (default 2m).
	MaxHeadAge time.Duration `yaml:"maxHeadAge"`
	// MinPeers is the fewest devp2p peers a ready node has (default 0).
	MinPeers uint64 `yaml:"minPeers"`
	// Client, if set, is the execution client the agent starts and
	// supervises, with flags computed from the node's entry.
	Client *AgentClient `yaml:"client"`
	// PublicAddress is the node's public IPv4, announced to peers; unset,
	// it is read from EC2's or GCE's metadata service.
	PublicAddress string `yaml:"publicAddress"`
	// DNS, if set, keeps an A record of the node's private address in a
	// Route53 hosted zone while the agent runs and the node has been ready.
	DNS *AgentDNS `yaml:"dns"`
	// EMF, if set, writes the node's metrics to standard output as
	// CloudWatch Embedded Metric Format lines.
	EMF *AgentEMF `yaml:"emf"`
	// Snapshots, if set, restore an empty data directory before the client
	// first starts, and, with every set, make this node the snapshotter.
	Snapshots *AgentSnapshots `yaml:"snapshots"`
}

// AgentSnapshots configure the agent's snapshots.
type AgentSnapshots struct {
	// Store is file://PATH or s3://BUCKET/PREFIX.
	Store Secret `yaml:"store"`
	// Every, if set, makes this node the snapshotter: when ready and due,
	// it leaves rotation, stops its client, snapshots and rejoins.
	Every time.Duration `yaml:"every"`
	// Keep is how many snapshots are kept (default 2).
	Keep int `yaml:"keep"`
	// Drain is how long the node reports not ready before its client
	// stops, for load balancers to notice (default 30s).
	Drain time.Duration `yaml:"drain"`
	// Containers, for a node whose clients run in Docker containers
	// rather than under the agent, are stopped in order for a snapshot
	// and started again in reverse order, through the Docker Engine API.
	Containers []string `yaml:"containers,omitempty"`
	// Docker is the Docker Engine API's socket (default
	// /var/run/docker.sock).
	Docker string `yaml:"docker,omitempty"`
	// Hold, for an execution client in another container of the agent's
	// pod (Kubernetes), is the directory it shares with the container that
	// starts the client through `ethfleet hold run`: the agent stops the
	// client and holds it back there for a snapshot.
	Hold string `yaml:"hold,omitempty"`
	// Client names the execution client the snapshots are of (default
	// geth).
	Client string `yaml:"client"`
}

// AgentClient is the execution client the agent supervises (geth).
type AgentClient struct {
	// Command is the client's binary.
	Command string `yaml:"command"`
	// Args are extra flags, after the computed ones.
	Args []string `yaml:"args"`
	// JWTSecret is the engine API secret file shared with the consensus
	// client; unset, geth makes one in its data directory.
	JWTSecret string `yaml:"jwtSecret"`
	// SyncMode is snap (geth's default) or full.
	SyncMode string `yaml:"syncMode"`
	// P2PPort is the devp2p port (default 30303).
	P2PPort int `yaml:"p2pPort"`
	// StopTimeout is how long a stop waits after SIGTERM before it kills
	// (default 300s, as geth advises).
	StopTimeout time.Duration `yaml:"stopTimeout"`
}

// AgentDNS names the record the agent keeps.
type AgentDNS struct {
	// ZoneID is the Route53 hosted zone, such as Z0123456789ABC.
	ZoneID string `yaml:"zoneId"`
	// Name is the record's name, such as geth-1.nodes.internal.
	Name string `yaml:"name"`
	// TTL is the record's time to live (default 60s).
	TTL time.Duration `yaml:"ttl"`
	// Address is the IPv4 to register; unset, the private address from
	// EC2's or GCE's metadata service.
	Address string `yaml:"address"`
	// Region and Endpoint configure the Route53 client (Endpoint: an
	// S3-style override for tests and emulators).
	Region   string `yaml:"region"`
	Endpoint string `yaml:"endpoint"`
}

// AgentEMF configures the Embedded Metric Format lines.
type AgentEMF struct {
	// Namespace is the CloudWatch namespace (default ethfleet).
	Namespace string `yaml:"namespace"`
	// Every is the time between lines (default 60s).
	Every time.Duration `yaml:"every"`
}

// Ops configures the operations server: /healthz, /ready, /status, /metrics.
type Ops struct {
	// Listen is the address of the ops server (default 127.0.0.1:6060).
	Listen string `yaml:"listen"`
}
