package autoscale

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ethfleet/ethfleet/internal/emf"
)

// metrics are the controller's Prometheus metrics.
type metrics struct {
	desired, running prometheus.Gauge
	decisions        *prometheus.CounterVec
	errors           prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, p Policy) (*metrics, error) {
	m := &metrics{
		desired: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ethfleet_mining_miners_desired", Help: "Miners the provider is asked to run.",
		}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ethfleet_mining_miners_running", Help: "Miners the provider reports running.",
		}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ethfleet_mining_autoscale_decisions_total", Help: "Autoscale steps by what they did (up, down, none, wait, error).",
		}, []string{"action"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ethfleet_mining_autoscale_errors_total", Help: "Autoscale steps that failed to read the pool or use the provider.",
		}),
	}
	low := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ethfleet_mining_hashrate_target_low", Help: "Lower end of the verified hashrate band (H/s).",
	}, func() float64 { return p.MinHashrate })
	high := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ethfleet_mining_hashrate_target_high", Help: "Upper end of the verified hashrate band (H/s).",
	}, func() float64 { return p.MaxHashrate })
	for _, a := range []Action{ScaleUp, ScaleDown, None, Wait, Error} {
		m.decisions.WithLabelValues(string(a))
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.desired, m.running, m.decisions, m.errors, low, high} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("autoscale metrics: %w", err)
		}
	}
	return m, nil
}

// observe counts a decision and, when it read the provider, its counts.
func (m *metrics) observe(d Decision) {
	m.decisions.WithLabelValues(string(d.Action)).Inc()
	if d.Action == Error {
		m.errors.Inc()
	}
	if d.counted {
		m.desired.Set(float64(d.desiredAfter()))
		m.running.Set(float64(d.Running))
	}
}

// emfMetrics is the EMF line of a decision.
func emfMetrics(d Decision, p Policy) map[string]emf.Metric {
	flag := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	m := map[string]emf.Metric{
		"HashrateVerified":   {Value: d.Hashrate, Unit: emf.CountPerSecond},
		"HashrateLow":        {Value: d.Low, Unit: emf.CountPerSecond},
		"HashrateHigh":       {Value: d.High, Unit: emf.CountPerSecond},
		"HashrateTargetLow":  {Value: p.MinHashrate, Unit: emf.CountPerSecond},
		"HashrateTargetHigh": {Value: p.MaxHashrate, Unit: emf.CountPerSecond},
		"AutoscaleChange":    {Value: flag(d.Action == ScaleUp || d.Action == ScaleDown), Unit: emf.Count},
		"AutoscaleError":     {Value: flag(d.Action == Error), Unit: emf.Count},
	}
	if d.counted {
		m["MinersDesired"] = emf.Metric{Value: float64(d.desiredAfter()), Unit: emf.Count}
		m["MinersRunning"] = emf.Metric{Value: float64(d.Running), Unit: emf.Count}
	}
	return m
}
