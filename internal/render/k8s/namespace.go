package k8s

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// namespace returns the objects the rest stand in: the namespace, the
// service account every pod runs as, and the budget that lets voluntary
// disruptions (node drains) take one node of the fleet at a time.
func (f *fleet) namespace() []any {
	nsLabels := fleetLabels()
	// Nothing ethfleet renders needs more than the baseline standard;
	// the restricted one only warns, for client images running as root.
	maps.Copy(nsLabels, map[string]string{
		"pod-security.kubernetes.io/enforce": "baseline",
		"pod-security.kubernetes.io/warn":    "restricted",
	})
	return []any{
		&corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: f.ns, Labels: nsLabels},
		},
		&corev1.ServiceAccount{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: f.meta(serviceAccount, fleetLabels()),
			// The pods never call the Kubernetes API.
			AutomountServiceAccountToken: new(false),
		},
		f.disruptionBudget("ethfleet-nodes", componentNode, map[string]string{
			"app.kubernetes.io/name":      "ethfleet",
			"app.kubernetes.io/component": componentNode,
		}),
	}
}

// disruptionBudget lets one pod picked by match be evicted at a time; a
// pod that is not ready may always be, so that a node that cannot sync
// does not block a drain.
func (f *fleet) disruptionBudget(name, component string, match map[string]string) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: f.meta(name, labels(name, component)),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable:             new(intstr.FromInt32(1)),
			Selector:                   &metav1.LabelSelector{MatchLabels: match},
			UnhealthyPodEvictionPolicy: new(policyv1.AlwaysAllow),
		},
	}
}
