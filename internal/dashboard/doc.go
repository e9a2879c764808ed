// Package dashboard is the web page the ops server shows at /: a table of
// the fleet's nodes and their readiness, a lag-over-time chart per node and
// reference, and the gateway's traffic.
//
// The page is static HTML, CSS and plain JavaScript, embedded in the
// binary: it loads nothing from elsewhere and needs no build step. It reads
// the ops server's own /api/nodes, /api/history and /metrics, so it shows
// exactly what scripts and Prometheus see.
package dashboard
