// Package deploy holds the files that watch ethfleet from outside the
// binary: Prometheus alerting rules (prometheus/alerts.yml, with their unit
// tests in prometheus/alerts_test.yml) and a Grafana dashboard
// (grafana/ethfleet.json). It has no Go code; its tests check those files
// with promtool, a real Prometheus and a running fleet.
package deploy
