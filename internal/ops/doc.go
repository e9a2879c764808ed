// Package ops serves the operations endpoints on their own port:
// /healthz (the process runs), /ready (it can serve), /status (JSON for
// people and scripts) and /metrics (Prometheus).
package ops
