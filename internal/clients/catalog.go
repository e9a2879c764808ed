package clients

import "fmt"

// Ports shared by every execution client, so that the gateway and the
// agent find any of them in the same place.
const (
	RPCPort    = 8545
	WSPort     = 8546
	EnginePort = 8551
	P2PPort    = 30303
)

var posNetworks = []string{"mainnet", "sepolia", "hoodi"}

func executionPorts(metrics int, ws bool) []Port {
	ps := []Port{
		{Name: "p2p", Number: P2PPort, Protocol: "tcp", Public: true},
		{Name: "p2p-udp", Number: P2PPort, Protocol: "udp", Public: true},
		{Name: "rpc", Number: RPCPort, Protocol: "tcp"},
		{Name: "engine", Number: EnginePort, Protocol: "tcp"},
		{Name: "metrics", Number: metrics, Protocol: "tcp"},
	}
	if ws {
		ps = append(ps, Port{Name: "ws", Number: WSPort, Protocol: "tcp"})
	}
	return ps
}

func consensusPorts(p2p, beacon, metrics int) []Port {
	return []Port{
		{Name: "p2p", Number: p2p, Protocol: "tcp", Public: true},
		{Name: "p2p-udp", Number: p2p, Protocol: "udp", Public: true},
		{Name: "beacon", Number: beacon, Protocol: "tcp"},
		{Name: "metrics", Number: metrics, Protocol: "tcp"},
	}
}

// WSURLPort is the port an execution client serves WebSocket JSON-RPC on:
// its ws port, or its rpc port when it serves both on one (erigon).
func (c Client) WSURLPort() int {
	if p := c.Port("ws"); p != 0 {
		return p
	}
	return c.Port("rpc")
}

// catalog pins each client to a release current in November 2026. The
// execution clients' entrypoints are their Dockerfiles' ENTRYPOINT, made
// absolute: go-ethereum's, reth's and erigon's binary in /usr/local/bin,
// nethermind's ./nethermind in its WORKDIR /nethermind, besu's
// besu-entry.sh in /opt/besu/bin (on the image's PATH).
var catalog = []Client{
	{
		Name: "geth", Layer: Execution, Image: "ethereum/client-go:v1.17.8", Entrypoint: []string{"/usr/local/bin/geth"},
		Networks: posNetworks, Ports: executionPorts(6061, true), MetricsPath: "/debug/metrics/prometheus",
		args: func(o Options) []string {
			return []string{
				"--" + o.Network, "--datadir=" + o.DataDir, "--syncmode=snap",
				fmt.Sprintf("--port=%d", P2PPort),
				"--http", "--http.addr=0.0.0.0", fmt.Sprintf("--http.port=%d", RPCPort), "--http.vhosts=*", "--http.api=eth,net,web3",
				"--ws", "--ws.addr=0.0.0.0", fmt.Sprintf("--ws.port=%d", WSPort), "--ws.origins=*", "--ws.api=eth,net,web3",
				"--authrpc.addr=0.0.0.0", fmt.Sprintf("--authrpc.port=%d", EnginePort), "--authrpc.vhosts=*", "--authrpc.jwtsecret=" + o.JWTFile,
				"--metrics", "--metrics.addr=0.0.0.0", "--metrics.port=6061",
			}
		},
	},
	{
		Name: "reth", Layer: Execution, Image: "ghcr.io/paradigmxyz/reth:v1.9.3", Entrypoint: []string{"/usr/local/bin/reth"},
		Networks: posNetworks, Ports: executionPorts(9001, true),
		args: func(o Options) []string {
			return []string{
				"node", "--chain=" + o.Network, "--datadir=" + o.DataDir, "--full",
				fmt.Sprintf("--port=%d", P2PPort),
				"--http", "--http.addr=0.0.0.0", fmt.Sprintf("--http.port=%d", RPCPort), "--http.api=eth,net,web3",
				"--ws", "--ws.addr=0.0.0.0", fmt.Sprintf("--ws.port=%d", WSPort), "--ws.origins=*", "--ws.api=eth,net,web3",
				"--authrpc.addr=0.0.0.0", fmt.Sprintf("--authrpc.port=%d", EnginePort), "--authrpc.jwtsecret=" + o.JWTFile,
				"--metrics=0.0.0.0:9001",
			}
		},
	},
	{
		Name: "nethermind", Layer: Execution, Image: "nethermind/nethermind:1.35.2", Entrypoint: []string{"/nethermind/nethermind"},
		Networks: posNetworks, Ports: executionPorts(9091, true),
		args: func(o Options) []string {
			return []string{
				"--config=" + o.Network, "--datadir=" + o.DataDir,
				fmt.Sprintf("--Network.P2PPort=%d", P2PPort), fmt.Sprintf("--Network.DiscoveryPort=%d", P2PPort),
				"--JsonRpc.Enabled=true", "--JsonRpc.Host=0.0.0.0", fmt.Sprintf("--JsonRpc.Port=%d", RPCPort),
				fmt.Sprintf("--JsonRpc.WebSocketsPort=%d", WSPort), "--JsonRpc.EnabledModules=[Eth,Net,Web3]",
				"--JsonRpc.EngineHost=0.0.0.0", fmt.Sprintf("--JsonRpc.EnginePort=%d", EnginePort), "--JsonRpc.JwtSecretFile=" + o.JWTFile,
				"--Metrics.Enabled=true", "--Metrics.ExposePort=9091",
			}
		},
	},
	{
		Name: "erigon", Layer: Execution, Image: "erigontech/erigon:v3.2.2", Entrypoint: []string{"/usr/local/bin/erigon"},
		Networks: posNetworks, Ports: executionPorts(6061, false), MetricsPath: "/debug/metrics/prometheus",
		args: func(o Options) []string {
			return []string{
				"--chain=" + o.Network, "--datadir=" + o.DataDir, "--prune.mode=full", "--externalcl",
				fmt.Sprintf("--port=%d", P2PPort),
				"--http", "--http.addr=0.0.0.0", fmt.Sprintf("--http.port=%d", RPCPort), "--http.vhosts=*", "--http.api=eth,net,web3", "--ws",
				"--authrpc.addr=0.0.0.0", fmt.Sprintf("--authrpc.port=%d", EnginePort), "--authrpc.vhosts=*", "--authrpc.jwtsecret=" + o.JWTFile,
				"--metrics", "--metrics.addr=0.0.0.0", "--metrics.port=6061",
			}
		},
	},
	{
		Name: "besu", Layer: Execution, Image: "hyperledger/besu:25.11.0", Entrypoint: []string{"/opt/besu/bin/besu-entry.sh"},
		Networks: append([]string{"classic", "mordor"}, posNetworks...), Ports: executionPorts(9545, true),
		args: func(o Options) []string {
			args := []string{
				"--network=" + o.Network, "--data-path=" + o.DataDir, "--sync-mode=SNAP",
				fmt.Sprintf("--p2p-port=%d", P2PPort),
				"--rpc-http-enabled", "--rpc-http-host=0.0.0.0", fmt.Sprintf("--rpc-http-port=%d", RPCPort), "--rpc-http-api=ETH,NET,WEB3", "--host-allowlist=*",
				"--rpc-ws-enabled", "--rpc-ws-host=0.0.0.0", fmt.Sprintf("--rpc-ws-port=%d", WSPort), "--rpc-ws-api=ETH,NET,WEB3",
				"--metrics-enabled", "--metrics-host=0.0.0.0", "--metrics-port=9545",
			}
			if o.JWTFile != "" {
				args = append(args, "--engine-rpc-enabled", fmt.Sprintf("--engine-rpc-port=%d", EnginePort), "--engine-host-allowlist=*", "--engine-jwt-secret="+o.JWTFile)
			}
			return args
		},
	},
	{
		Name: "lighthouse", Layer: Consensus, Image: "sigp/lighthouse:v8.0.1",
		Networks: posNetworks, Ports: consensusPorts(9000, 5052, 5054),
		args: func(o Options) []string {
			return []string{
				"lighthouse", "beacon_node", "--network=" + o.Network, "--datadir=" + o.DataDir,
				"--execution-endpoint=" + o.EngineURL, "--execution-jwt=" + o.JWTFile,
				"--checkpoint-sync-url=" + o.CheckpointSyncURL, "--port=9000",
				"--http", "--http-address=0.0.0.0", "--http-port=5052",
				"--metrics", "--metrics-address=0.0.0.0", "--metrics-port=5054",
			}
		},
	},
	{
		Name: "prysm", Layer: Consensus, Image: "gcr.io/offchainlabs/prysm/beacon-chain:v7.0.0",
		Networks: posNetworks, Ports: consensusPorts(13000, 3500, 8080),
		args: func(o Options) []string {
			return []string{
				"--" + o.Network, "--datadir=" + o.DataDir, "--accept-terms-of-use",
				"--execution-endpoint=" + o.EngineURL, "--jwt-secret=" + o.JWTFile,
				"--checkpoint-sync-url=" + o.CheckpointSyncURL, "--genesis-beacon-api-url=" + o.CheckpointSyncURL,
				"--p2p-tcp-port=13000", "--p2p-udp-port=13000",
				"--http-host=0.0.0.0", "--http-port=3500",
				"--monitoring-host=0.0.0.0", "--monitoring-port=8080",
			}
		},
	},
	{
		Name: "teku", Layer: Consensus, Image: "consensys/teku:25.11.1",
		Networks: posNetworks, Ports: consensusPorts(9000, 5051, 8008),
		args: func(o Options) []string {
			return []string{
				"--network=" + o.Network, "--data-path=" + o.DataDir,
				"--ee-endpoint=" + o.EngineURL, "--ee-jwt-secret-file=" + o.JWTFile,
				"--checkpoint-sync-url=" + o.CheckpointSyncURL, "--p2p-port=9000",
				"--rest-api-enabled", "--rest-api-interface=0.0.0.0", "--rest-api-port=5051", "--rest-api-host-allowlist=*",
				"--metrics-enabled", "--metrics-interface=0.0.0.0", "--metrics-port=8008", "--metrics-host-allowlist=*",
			}
		},
	},
	{
		Name: "nimbus", Layer: Consensus, Image: "statusim/nimbus-eth2:multiarch-v25.11.0",
		Networks: posNetworks, Ports: consensusPorts(9000, 5052, 8008),
		args: func(o Options) []string {
			return []string{
				"--network=" + o.Network, "--data-dir=" + o.DataDir, "--non-interactive",
				"--el=" + o.EngineURL, "--jwt-secret=" + o.JWTFile,
				"--external-beacon-api-url=" + o.CheckpointSyncURL, "--tcp-port=9000", "--udp-port=9000",
				"--rest", "--rest-address=0.0.0.0", "--rest-port=5052",
				"--metrics", "--metrics-address=0.0.0.0", "--metrics-port=8008",
			}
		},
	},
	{
		Name: "lodestar", Layer: Consensus, Image: "chainsafe/lodestar:v1.36.0",
		Networks: posNetworks, Ports: consensusPorts(9000, 9596, 8008),
		args: func(o Options) []string {
			return []string{
				"beacon", "--network=" + o.Network, "--dataDir=" + o.DataDir,
				"--execution.urls=" + o.EngineURL, "--jwt-secret=" + o.JWTFile,
				"--checkpointSyncUrl=" + o.CheckpointSyncURL, "--port=9000",
				"--rest", "--rest.address=0.0.0.0", "--rest.port=9596",
				"--metrics", "--metrics.address=0.0.0.0", "--metrics.port=8008",
			}
		},
	},
}
