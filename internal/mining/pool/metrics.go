package pool

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the pool's ethfleet_mining_* metrics. Counters count as
// shares arrive; the hashrates, difficulties and worker count are read
// from Stats when scraped.
type metrics struct {
	shares  *prometheus.CounterVec
	blocks  prometheus.Counter
	balance prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer, p *Pool) (*metrics, error) {
	m := &metrics{
		shares: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ethfleet_mining_shares_total",
			Help: "Shares submitted to the pool, by worker and outcome (accepted, stale, invalid, duplicate).",
		}, []string{"worker", "outcome"}),
		blocks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ethfleet_mining_blocks_found_total",
			Help: "Block solutions the node accepted.",
		}),
		balance: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ethfleet_mining_etherbase_balance_wei",
			Help: "Balance of mining.etherbase in wei.",
		}),
	}
	for _, c := range []prometheus.Collector{m.shares, m.blocks, m.balance, &statsCollector{p}} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("pool: metrics: %w", err)
		}
	}
	return m, nil
}

// forget drops a worker's series.
func (m *metrics) forget(name string) {
	m.shares.DeletePartialMatch(prometheus.Labels{"worker": name})
}

var (
	descVerified = prometheus.NewDesc("ethfleet_mining_hashrate_verified",
		"Hashrate proven by accepted shares over the pool's window, in hashes per second.", []string{"worker"}, nil)
	descReported = prometheus.NewDesc("ethfleet_mining_hashrate_reported",
		"Hashrate the miners claim (eth_submitHashrate), in hashes per second; never used for decisions.", []string{"worker"}, nil)
	descDifficulty = prometheus.NewDesc("ethfleet_mining_share_difficulty",
		"Share difficulty new work for the worker gets.", []string{"worker"}, nil)
	descWorkers = prometheus.NewDesc("ethfleet_mining_workers",
		"Workers seen within the pool's window.", nil, nil)
)

// statsCollector exposes Stats as gauges.
type statsCollector struct{ p *Pool }

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descVerified
	ch <- descReported
	ch <- descDifficulty
	ch <- descWorkers
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.p.Stats()
	for _, w := range s.Workers {
		ch <- prometheus.MustNewConstMetric(descVerified, prometheus.GaugeValue, w.Hashrate, w.Name)
		ch <- prometheus.MustNewConstMetric(descReported, prometheus.GaugeValue, w.Reported, w.Name)
		ch <- prometheus.MustNewConstMetric(descDifficulty, prometheus.GaugeValue, float64(w.Difficulty), w.Name)
	}
	ch <- prometheus.MustNewConstMetric(descWorkers, prometheus.GaugeValue, float64(len(s.Workers)))
}
