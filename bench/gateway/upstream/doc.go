// Command upstream serves a JSON-RPC upstream for the gateway benchmarks
// until it is killed, and prints its URLs on stdout as one JSON line:
//
//	{"rpc":"http://127.0.0.1:41234","ws":"ws://127.0.0.1:41234","bare":"http://127.0.0.1:41234/bare","head":1000}
//
// With -stub it is a fast Go stub: go-ethereum's rpc.Server with eth, net
// and web3 services over a made-up chain, so HTTP, batches and WebSocket
// eth_subscribe("newHeads") behave as a node's do. Block n has a fixed
// hash and parentHash = hash(n-1); a new head comes every -block-time, and
// its extraData holds the wall-clock time it was emitted, in nanoseconds
// since the Unix epoch (8 bytes, big-endian), so a WebSocket client in
// another process can measure fan-out latency. /bare is a bare net/http
// handler that writes the bytes last PUT to it: the benchmark puts the
// gateway's cached answer there, so the cached comparison is byte for byte.
//
// With -devnet it starts ethfleet's in-process devnet (a go-ethereum
// producer, no followers, transactions in every block) and serves that
// node's URLs.
//
// With -fanout it is the floor under the gateway's newHeads fan-out: plain
// TCP connections, and every -block-time one message of -fanout-size bytes
// written to each in turn from one goroutine, starting with the time the
// burst started.
//
// With -relay HOST:PORT it is the floor under the gateway's added latency:
// a plain TCP relay to HOST:PORT that copies bytes both ways (splice(2))
// and parses nothing. It prints {"rpc":"http://…"}.
package main
