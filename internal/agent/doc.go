// Package agent judges whether a node is ready to serve: synced by its own
// account and by the clock, within reach of the fleet's head and of every
// reference, with enough peers, and with a consensus client that neither
// syncs nor runs optimistically. It keeps each node's lag against the
// references as a bounded history for the dashboard, and exports it as
// metrics.
//
// One Monitor serves both shapes of deployment: `ethfleet agent`, one per
// node, watching its node against the others and the references; and
// `ethfleet up`, watching every node of the embedded fleet.
package agent
