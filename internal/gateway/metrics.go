package gateway

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// latencyBuckets span 0.5ms to about 16s, doubling.
var latencyBuckets = prometheus.ExponentialBuckets(0.0005, 2, 16)

// register registers every collector on reg, stopping at the first error.
func register(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// serverMetrics count what clients asked and how it went.
type serverMetrics struct {
	calls      *prometheus.CounterVec
	rejections *prometheus.CounterVec
	duration   prometheus.Histogram
	wsConns    prometheus.Gauge
	wsSubs     prometheus.Gauge
	cache      *prometheus.CounterVec
	merged     prometheus.Counter

	cacheHits, cacheMisses prometheus.Counter // cache's children, looked up once
}

func newServerMetrics(reg prometheus.Registerer) (*serverMetrics, error) {
	m := &serverMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ethfleet_gateway_calls_total",
			Help: "JSON-RPC calls answered, by method and result (ok, error, invalid, unavailable).",
		}, []string{"method", "result"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ethfleet_gateway_rejections_total",
			Help: "Requests or calls refused before reaching an upstream, by reason (unauthorized, too_large, invalid, policy, rate_limit, slow_client).",
		}, []string{"reason"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ethfleet_gateway_request_duration_seconds",
			Help:    "Time to answer one HTTP request, batches included.",
			Buckets: latencyBuckets,
		}),
	}
	m.wsConns = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ethfleet_gateway_ws_connections", Help: "Open WebSocket connections."})
	m.wsSubs = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ethfleet_gateway_ws_subscriptions", Help: "Live subscriptions over WebSocket."})
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ethfleet_gateway_cache_total",
		Help: "Cacheable calls, by result (hit, miss).",
	}, []string{"result"})
	m.merged = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "ethfleet_gateway_merged_total",
		Help: "Calls answered by an upstream fetch shared with identical calls in flight (each participant counts).",
	})
	if err := register(reg, m.calls, m.rejections, m.duration, m.wsConns, m.wsSubs, m.cache, m.merged); err != nil {
		return nil, err
	}
	m.cacheHits, m.cacheMisses = m.cache.WithLabelValues("hit"), m.cache.WithLabelValues("miss")
	return m, nil
}

// routerMetrics count attempts against each upstream and export the
// router's view of the fleet.
type routerMetrics struct {
	attempts  *prometheus.CounterVec
	fallbacks *prometheus.CounterVec
	latency   *prometheus.HistogramVec
}

func newRouterMetrics(reg prometheus.Registerer, r *Router) (*routerMetrics, error) {
	m := &routerMetrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ethfleet_gateway_upstream_attempts_total",
			Help: "Calls or batches sent to each upstream, by result (ok: answered, transport_error: no answer).",
		}, []string{"upstream", "result"}),
	}
	m.fallbacks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ethfleet_gateway_fallback_total",
		Help: "Calls or batches sent to a reference because no node of the fleet was fit.",
	}, []string{"reference"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "ethfleet_gateway_upstream_duration_seconds",
		Help:    "Round trip of each call or batch sent to an upstream, answered or not.",
		Buckets: latencyBuckets,
	}, []string{"upstream"})
	if err := register(reg, m.attempts, m.fallbacks, m.latency, viewCollector{r}); err != nil {
		return nil, err
	}
	return m, nil
}

// attempt counts one call or batch sent to u, which took d; err is its
// transport failure, if any.
func (m *routerMetrics) attempt(u *Upstream, d time.Duration, err error) {
	m.latency.WithLabelValues(u.name).Observe(d.Seconds())
	result := "ok"
	if err != nil {
		result = "transport_error"
	}
	m.attempts.WithLabelValues(u.name, result).Inc()
	if u.reference {
		m.fallbacks.WithLabelValues(u.name).Inc()
	}
}

// viewCollector exports the router's current view at scrape time.
type viewCollector struct{ r *Router }

var (
	descFleetHead = prometheus.NewDesc("ethfleet_fleet_head_block", "The fleet's head: the highest head among nodes that answer and do not sync.", nil, nil)
	descUp        = prometheus.NewDesc("ethfleet_upstream_up", "1 while the node answers its probe.", []string{"upstream"}, nil)
	descFit       = prometheus.NewDesc("ethfleet_upstream_fit", "1 while the gateway serves from the node.", []string{"upstream"}, nil)
	descHead      = prometheus.NewDesc("ethfleet_upstream_head_block", "The node's head block number.", []string{"upstream"}, nil)
	descLag       = prometheus.NewDesc("ethfleet_upstream_lag_blocks", "Blocks the node trails the fleet's head.", []string{"upstream"}, nil)
	descPeers     = prometheus.NewDesc("ethfleet_upstream_peers", "The node's devp2p peer count.", []string{"upstream"}, nil)
	descLatency   = prometheus.NewDesc("ethfleet_upstream_probe_latency_seconds", "Round trip of the node's last status poll.", []string{"upstream"}, nil)
	descWaited    = prometheus.NewDesc("ethfleet_gateway_upstream_waited_total", "Messages that waited for one of the node's gateway.upstreamConcurrency posts (and went combined).", []string{"upstream"}, nil)
	descQueued    = prometheus.NewDesc("ethfleet_gateway_upstream_queued", "Messages waiting now for one of the node's gateway.upstreamConcurrency posts.", []string{"upstream"}, nil)
)

func (c viewCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFleetHead, descUp, descFit, descHead, descLag, descPeers, descLatency, descWaited, descQueued} {
		ch <- d
	}
}

func (c viewCollector) Collect(ch chan<- prometheus.Metric) {
	v := c.r.View()
	ch <- prometheus.MustNewConstMetric(descFleetHead, prometheus.GaugeValue, float64(v.Head))
	for _, u := range v.Upstreams {
		gauge := func(d *prometheus.Desc, val float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, val, u.Name)
		}
		gauge(descUp, boolFloat(u.Up))
		gauge(descFit, boolFloat(u.Fit))
		gauge(descHead, float64(u.Head.Number))
		gauge(descLag, float64(u.Lag))
		gauge(descPeers, float64(u.Peers))
		gauge(descLatency, u.Latency.Duration().Seconds())
	}
	for _, u := range c.r.upstreams {
		if co, ok := u.conn.(*coalescer); ok {
			waited, queued := co.stats()
			ch <- prometheus.MustNewConstMetric(descWaited, prometheus.CounterValue, float64(waited), u.name)
			ch <- prometheus.MustNewConstMetric(descQueued, prometheus.GaugeValue, float64(queued), u.name)
		}
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
