// Package devnet runs a private Ethereum dev chain inside the process: real
// go-ethereum nodes, nothing to download.
//
// One producer seals blocks with go-ethereum's simulated beacon on a timer of
// our own (so block times below a second work). Followers share its genesis,
// peer with it over devp2p on 127.0.0.1, and are kept at its head the way a
// consensus client keeps an execution client: the devnet sends each follower
// engine_forkchoiceUpdatedV3 over its JWT-authenticated engine API, and the
// follower fetches the blocks from the producer over devp2p. A transaction
// generator fills blocks with ETH transfers and calls to a small contract
// that emits logs.
//
// Every node listens for JSON-RPC over HTTP and WebSocket on one loopback
// port, and keeps its chain under the devnet's data directory, so a devnet
// started again on the same directory resumes at the head it had. Nodes must
// be closed cleanly: a killed path-scheme node rewinds its state on restart.
package devnet
