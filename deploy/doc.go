// Package deploy holds the files that watch ethfleet from outside the
// binary: Prometheus alerting rules (prometheus/alerts.yml, with their unit
// tests in prometheus/alerts_test.yml) and a Grafana dashboard
// (grafana/ethfleet.json). Its tests check those files with promtool, a
// real Prometheus and a running fleet.
//
// The renderers ship the same files with every deployment: compose
// provisions them into Prometheus and Grafana, Kubernetes turns the rules
// into a PrometheusRule, CloudFormation builds its alarms beside them.
package deploy

import _ "embed"

// AlertRules is prometheus/alerts.yml: a Prometheus rule file.
//
//go:embed prometheus/alerts.yml
var AlertRules []byte

// Dashboard is grafana/ethfleet.json: a Grafana dashboard that picks any
// Prometheus data source through its "datasource" variable.
//
//go:embed grafana/ethfleet.json
var Dashboard []byte
