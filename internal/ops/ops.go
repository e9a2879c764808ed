package ops

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config says where the ops endpoints get their answers.
type Config struct {
	// Healthy, if set, reports whether what the process depends on
	// answers; /healthz is 503 when it does not. Unset, /healthz says only
	// that the process runs.
	Healthy func() (healthy bool, why string)
	// Ready reports whether the process can serve, and why not.
	Ready func() (ready bool, why string)
	// Status returns the value /status encodes as JSON.
	Status func() any
	// Nodes, if set, returns every node's readiness report for
	// /api/nodes; History the lag samples after a time (Unix ms) for
	// /api/history?since=.
	Nodes   func() any
	History func(since int64) any
	// Dashboard, if set, serves the pages under /.
	Dashboard http.Handler
	// Gatherer is what /metrics exposes.
	Gatherer prometheus.Gatherer
}

// Handler returns the ops endpoints.
func Handler(cfg Config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if cfg.Healthy == nil {
			fmt.Fprintln(w, "ok")
			return
		}
		healthy, why := cfg.Healthy()
		if !healthy {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "unhealthy:", why)
			return
		}
		fmt.Fprintln(w, "ok:", why)
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		ready, why := cfg.Ready()
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready:", why)
			return
		}
		fmt.Fprintln(w, "ready:", why)
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, cfg.Status())
	})
	if cfg.Nodes != nil {
		mux.HandleFunc("GET /api/nodes", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, cfg.Nodes())
		})
	}
	if cfg.History != nil {
		mux.HandleFunc("GET /api/history", func(w http.ResponseWriter, r *http.Request) {
			var since int64
			if s := r.URL.Query().Get("since"); s != "" {
				var err error
				if since, err = strconv.ParseInt(s, 10, 64); err != nil {
					http.Error(w, "since: want Unix milliseconds", http.StatusBadRequest)
					return
				}
			}
			writeJSON(w, cfg.History(since))
		})
	}
	if cfg.Dashboard != nil {
		mux.Handle("GET /", cfg.Dashboard)
	}
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
