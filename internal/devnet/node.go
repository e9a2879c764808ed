package devnet

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"
)

// Role says what a node does in the devnet.
type Role string

const (
	RoleProducer Role = "producer"
	RoleFollower Role = "follower"
)

// Node is one in-process go-ethereum node of the devnet.
type Node struct {
	name  string
	role  Role
	stack *node.Node
	eth   *eth.Ethereum

	jwtSecret [32]byte           // engine API secret; followers only
	stopDrive context.CancelFunc // stops the follower's forkchoice loop
	httpPort  int                // remembered while running, for a restart
}

// Name is the node's name, such as "producer" or "follower-1".
func (n *Node) Name() string { return n.name }

// Role says whether the node produces blocks or follows.
func (n *Node) Role() Role { return n.role }

// HTTPURL is the node's JSON-RPC over HTTP endpoint.
func (n *Node) HTTPURL() string { return n.stack.HTTPEndpoint() }

// WSURL is the node's JSON-RPC over WebSocket endpoint (the same port).
func (n *Node) WSURL() string { return n.stack.WSEndpoint() }

// port is the node's HTTP (and WS) port, as it was while it ran.
func (n *Node) port() int {
	if n.httpPort == 0 {
		if u, err := url.Parse(n.HTTPURL()); err == nil {
			n.httpPort, _ = strconv.Atoi(u.Port())
		}
	}
	return n.httpPort
}

// DataDir is where the node keeps its chain.
func (n *Node) DataDir() string { return n.stack.DataDir() }

// Head returns the number of the node's current head block.
func (n *Node) Head() uint64 { return n.eth.BlockChain().CurrentBlock().Number.Uint64() }

// close stops the node cleanly, flushing its state to disk.
func (n *Node) close() error {
	if err := n.stack.Close(); err != nil {
		return fmt.Errorf("close %s: %w", n.name, err)
	}
	return nil
}

// nodeSpec is what differs between the nodes of one devnet.
type nodeSpec struct {
	name       string
	role       Role
	dir        string
	genesis    *core.Genesis
	jwtSecret  string // path of the engine API secret; followers only
	noLogIndex bool
	httpPort   int // 0: a port the kernel chooses
}

// publicModules are the only APIs a devnet node serves over HTTP and WS.
// Everything else (admin, debug, personal, miner, engine, txpool) stays
// unreachable, even on loopback.
var publicModules = []string{"eth", "net", "web3"}

// newNode builds (but does not start) a go-ethereum node listening on
// loopback ports chosen by the kernel.
func newNode(spec nodeSpec) (*Node, error) {
	cfg := &node.Config{
		Name:     "geth",
		DataDir:  spec.dir,
		HTTPHost: "127.0.0.1",
		// The same port for both (0: one the kernel chooses) serves HTTP
		// and WS on one port.
		HTTPPort:    spec.httpPort,
		WSPort:      spec.httpPort,
		HTTPModules: publicModules,
		WSHost:      "127.0.0.1",
		WSModules:   publicModules,
		P2P: p2p.Config{
			ListenAddr:  "127.0.0.1:0",
			NoDiscovery: true,
			MaxPeers:    16,
		},
	}
	if spec.jwtSecret != "" {
		cfg.AuthAddr = "127.0.0.1"
		cfg.JWTSecret = spec.jwtSecret
	}
	stack, err := node.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.name, err)
	}
	ethCfg := ethconfig.Defaults
	ethCfg.Genesis = spec.genesis
	ethCfg.NetworkId = spec.genesis.Config.ChainID.Uint64()
	ethCfg.SyncMode = ethconfig.FullSync
	// Small caches: several nodes share one process and a dev chain is tiny.
	ethCfg.DatabaseCache = 32
	ethCfg.TrieCleanCache = 16
	ethCfg.TrieDirtyCache = 16
	ethCfg.SnapshotCache = 16
	ethCfg.LogNoHistory = spec.noLogIndex
	backend, err := eth.New(stack, &ethCfg)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("%s: %w", spec.name, err)
	}
	fs := filters.NewFilterSystem(backend.APIBackend, filters.Config{LogCacheSize: ethCfg.FilterLogCacheSize})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(fs)}})
	return &Node{name: spec.name, role: spec.role, stack: stack, eth: backend}, nil
}

func nodeDir(dataDir, name string) string { return filepath.Join(dataDir, name) }
