package agent

import (
	"github.com/prometheus/client_golang/prometheus"
)

var (
	headDesc     = prometheus.NewDesc("ethfleet_node_head", "The node's head block number.", []string{"node"}, nil)
	readyDesc    = prometheus.NewDesc("ethfleet_node_ready", "1 when the node is ready to serve (see /ready), 0 otherwise.", []string{"node"}, nil)
	peersDesc    = prometheus.NewDesc("ethfleet_node_peers", "The node's devp2p peers.", []string{"node"}, nil)
	lagDesc      = prometheus.NewDesc("ethfleet_node_lag_blocks", "Blocks the node trails a reference's head (negative: ahead); reference=\"fleet\" is the fleet's own head.", []string{"node", "reference"}, nil)
	lagSecsDesc  = prometheus.NewDesc("ethfleet_node_lag_seconds", "Seconds between a reference's head timestamp and the node's.", []string{"node", "reference"}, nil)
	freeDesc     = prometheus.NewDesc("ethfleet_node_datadir_free_bytes", "Free space of the file system holding the node's data dir.", []string{"node"}, nil)
	sizeDesc     = prometheus.NewDesc("ethfleet_node_datadir_size_bytes", "Size of the file system holding the node's data dir.", []string{"node"}, nil)
	refUpDesc    = prometheus.NewDesc("ethfleet_reference_up", "1 when the reference answers, 0 otherwise.", []string{"reference"}, nil)
	sinceDesc    = prometheus.NewDesc("ethfleet_node_ready_since_seconds", "Unix time of the node's last change of readiness or its reasons.", []string{"node"}, nil)
	allAgentDesc = []*prometheus.Desc{headDesc, readyDesc, peersDesc, lagDesc, lagSecsDesc, freeDesc, sizeDesc, refUpDesc, sinceDesc}
)

// Describe implements prometheus.Collector.
func (m *Monitor) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allAgentDesc {
		ch <- d
	}
}

// Collect implements prometheus.Collector from the latest reports, so that
// a node's series appear and disappear with it.
func (m *Monitor) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, r := range m.Reports() {
		gauge(headDesc, float64(r.Head), r.Name)
		gauge(readyDesc, boolFloat(r.Ready), r.Name)
		gauge(peersDesc, float64(r.Peers), r.Name)
		gauge(sinceDesc, float64(r.Since)/1000, r.Name)
		gauge(lagDesc, float64(r.FleetLag), r.Name, FleetSeries)
		for _, l := range r.Lags {
			if l.Reachable {
				gauge(lagDesc, float64(l.Blocks), r.Name, l.Reference)
				gauge(lagSecsDesc, l.Seconds, r.Name, l.Reference)
			}
		}
		if r.Disk != nil {
			gauge(freeDesc, float64(r.Disk.FreeBytes), r.Name)
			gauge(sizeDesc, float64(r.Disk.SizeBytes), r.Name)
		}
	}
	for _, ref := range m.cfg.References {
		s := ref.Status()
		gauge(refUpDesc, boolFloat(s.Up), s.Name)
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
