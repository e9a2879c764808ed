// Package fleet assembles a running fleet from its parts: the embedded
// devnet, one probe per node, the gateway's router and server, and the ops
// server. It starts them in that order and stops them in reverse, and it is
// what `ethfleet up` runs.
package fleet
