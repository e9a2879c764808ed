// Package gateway serves one JSON-RPC endpoint in front of a fleet of
// Ethereum nodes and never answers from a node that is not fit.
//
// The Router keeps a view of every upstream built from its probe: whether it
// answers, whether it syncs, how far its head trails the fleet's. The Server
// parses each request (single or batch), answers malformed ones itself with
// the JSON-RPC error codes, and forwards the rest to a fit upstream, moving
// to the next fit upstream when one fails in transport. An upstream's own
// JSON-RPC errors (unknown method, reverted call) pass through unchanged.
// Translation to JSON-RPC error codes and HTTP statuses happens only here,
// at the edge.
package gateway
