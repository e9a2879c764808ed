// Package clients knows the Ethereum clients ethfleet deploys: for each
// execution client (geth, reth, nethermind, erigon, besu) and consensus
// client (lighthouse, prysm, teku, nimbus, lodestar) its pinned container
// image, the networks it runs, the ports it listens on and the command line
// that runs it in a container beside its partner.
//
// It is a catalog, not a supervisor: renderers (CloudFormation user data,
// Kubernetes StatefulSets, compose services) ask it what to run, and config
// validation asks it what can work. Everything here is data plus one
// function per client that builds arguments, so adding a client is adding
// one table entry.
//
// The command lines follow each client's documented flags for the pinned
// version; they serve JSON-RPC only on the eth, net and web3 namespaces,
// bind every port on all interfaces inside the container (the renderers
// decide what is reachable from where), and put all state under the data
// directory they are given.
package clients
