package autoscale

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Source reads the pool's verified hashrate.
type Source interface {
	Stats(ctx context.Context) (Stats, error)
}

// Stats is the pool's GET /stats answer. Hashrates are in hashes per
// second over Window; Low and High bound the 95% interval.
type Stats struct {
	Window  string        `json:"window"`
	Workers []WorkerStats `json:"workers"`
	Total   Rate          `json:"total"`
	Blocks  int           `json:"blocks"`
}

// Rate is a verified hashrate with its interval and the rate the miners
// claimed (Reported).
type Rate struct {
	Hashrate float64 `json:"hashrate"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	Shares   Shares  `json:"shares"`
	Reported float64 `json:"reported"`
}

// WorkerStats is one worker's Rate.
type WorkerStats struct {
	Name string `json:"name"`
	Rate
	Difficulty uint64 `json:"difficulty"`
}

// Shares counts shares by outcome.
type Shares struct {
	Accepted  int `json:"accepted"`
	Stale     int `json:"stale"`
	Invalid   int `json:"invalid"`
	Duplicate int `json:"duplicate"`
}

// PoolSource reads a pool's GET /stats.
type PoolSource struct {
	// URL is the stats URL, e.g. http://127.0.0.1:8008/stats.
	URL string
	// Client makes the requests (nil: http.DefaultClient); give it a
	// timeout shorter than the controller's interval.
	Client *http.Client
}

// Stats fetches and decodes the pool's stats.
func (p PoolSource) Stats(ctx context.Context) (Stats, error) {
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("pool stats: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Stats{}, fmt.Errorf("pool stats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return Stats{}, fmt.Errorf("pool stats: %s: %s: %q", p.URL, resp.Status, body)
	}
	var s Stats
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&s); err != nil {
		return Stats{}, fmt.Errorf("pool stats: %s: %w", p.URL, err)
	}
	return s, nil
}
