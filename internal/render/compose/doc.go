// Package compose renders a fleet description as a docker compose project
// for one host (`ethfleet render compose`).
//
// Each deployed node becomes an execution service (NAME-execution), a
// consensus service on proof-of-stake networks (NAME-consensus) sharing a
// generated engine API secret (jwt/NAME.hex), an agent (NAME-agent) and,
// when the node starts from the snapshot store, a one-shot restore
// (NAME-restore) the execution client waits for. One gateway serves the
// fleet; Prometheus and Grafana watch it with the rules and dashboard of
// package deploy. With mining.deploy, a pool and the miners (the
// autoscaler running `ethfleet mine` processes, provider local) join them.
//
// Only the peer-to-peer ports are published on every interface, each node
// on its own host ports; the gateway, Prometheus, Grafana and the pool are
// published on compose.publish. Secrets stay ${NAME} references that compose fills
// from the .env file beside compose.yaml (.env.example lists them).
package compose
