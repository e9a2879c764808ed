// Package probe watches one Ethereum node over its execution JSON-RPC API:
// head number, hash and timestamp, sync state, peer count, client version
// and round-trip latency.
//
// Heads are pushed over a WebSocket newHeads subscription where the node
// has a WebSocket endpoint and polled over HTTP otherwise; everything else
// is one batched poll per interval, so an idle node costs at most one
// request per interval. A probe publishes each change of its Status to
// whoever watches it: one probe per node is shared by everything in the
// process that needs that node's state.
package probe
