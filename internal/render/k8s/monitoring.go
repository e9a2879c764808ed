package k8s

import (
	"fmt"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/ethfleet/ethfleet/deploy"
)

// monitoring returns what prometheus-operator needs to watch the fleet: a
// ServiceMonitor per node and one for the gateways, and the repository's
// alerting rules as a PrometheusRule.
func (f *fleet) monitoring() ([]any, error) {
	var objs []any
	for _, nd := range f.nodes {
		var endpoints []monitoringv1.Endpoint
		for _, p := range nd.ports() {
			if !p.metrics {
				continue
			}
			path := "/metrics"
			if p.container == execution && nd.ec.MetricsPath != "" {
				path = nd.ec.MetricsPath
			}
			endpoints = append(endpoints, monitoringv1.Endpoint{Port: p.name, Path: path})
		}
		objs = append(objs, f.serviceMonitor(nd.name, componentNode, endpoints))
	}
	objs = append(objs, f.serviceMonitor(gatewayName, componentGateway, []monitoringv1.Endpoint{{Port: "ops", Path: "/metrics"}}))

	var rules monitoringv1.PrometheusRuleSpec
	if err := yaml.UnmarshalStrict(deploy.AlertRules, &rules); err != nil {
		return nil, fmt.Errorf("k8s: the alerting rules do not fit a PrometheusRule: %w", err)
	}
	objs = append(objs, &monitoringv1.PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PrometheusRule"},
		ObjectMeta: f.meta("ethfleet", fleetLabels()),
		Spec:       rules,
	})
	return objs, nil
}

func (f *fleet) serviceMonitor(instance, component string, endpoints []monitoringv1.Endpoint) *monitoringv1.ServiceMonitor {
	return &monitoringv1.ServiceMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "ServiceMonitor"},
		ObjectMeta: f.meta(instance, labels(instance, component)),
		Spec: monitoringv1.ServiceMonitorSpec{
			Selector:  metav1.LabelSelector{MatchLabels: selector(instance, component)},
			Endpoints: endpoints,
		},
	}
}
