package config

import "time"

// Config is the fleet description.
type Config struct {
	Network    Network     `yaml:"network"`
	Devnet     Devnet      `yaml:"devnet"`
	Nodes      []Node      `yaml:"nodes"`
	References []Reference `yaml:"references"`
	Gateway    Gateway     `yaml:"gateway"`
	Ops        Ops         `yaml:"ops"`
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
}

// Node is one execution client the gateway serves from.
type Node struct {
	Name string `yaml:"name"`
	// RPC is the node's HTTP JSON-RPC URL.
	RPC Secret `yaml:"rpc"`
	// WS is the node's WebSocket JSON-RPC URL; heads are pushed over it
	// when set and polled over RPC otherwise.
	WS Secret `yaml:"ws"`
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
	// MaxBatch caps the number of calls in one batch (default 100).
	MaxBatch int `yaml:"maxBatch"`
	// MaxBodyBytes caps a request body (default 5 MiB).
	MaxBodyBytes int64 `yaml:"maxBodyBytes"`
	// RequestTimeout bounds one client request, retries included
	// (default 30s).
	RequestTimeout time.Duration `yaml:"requestTimeout"`
}

// Ops configures the operations server: /healthz, /ready, /status, /metrics.
type Ops struct {
	// Listen is the address of the ops server (default 127.0.0.1:6060).
	Listen string `yaml:"listen"`
}
