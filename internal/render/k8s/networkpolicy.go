package k8s

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ethfleet/ethfleet/internal/render"
)

// networkPolicies return a policy per node, one for the gateways and, with
// a mining cluster, one each for the pool, the miners and the autoscaler. A
// pod a policy selects takes only the ingress it allows; the engine API
// is allowed nowhere, so it is reached only inside its pod.
func (f *fleet) networkPolicies() []any {
	var objs []any
	for _, nd := range f.nodes {
		var fleetPorts, metricsPorts, publicPorts []networkingv1.NetworkPolicyPort
		for _, p := range nd.ports() {
			np := policyPort(p.protocol, p.number)
			if p.fleet {
				fleetPorts = append(fleetPorts, np)
			}
			if p.metrics {
				metricsPorts = append(metricsPorts, np)
			}
			if p.public {
				publicPorts = append(publicPorts, np)
			}
		}
		objs = append(objs, f.networkPolicy(nd.name, componentNode, []networkingv1.NetworkPolicyIngressRule{
			{From: f.rpcPeers(), Ports: fleetPorts},
			{From: prometheusPeers(), Ports: metricsPorts},
			// Peer-to-peer traffic from anywhere.
			{Ports: publicPorts},
		}))
	}
	objs = append(objs, f.networkPolicy(gatewayName, componentGateway, []networkingv1.NetworkPolicyIngressRule{
		{From: f.rpcPeers(), Ports: []networkingv1.NetworkPolicyPort{policyPort(corev1.ProtocolTCP, render.GatewayPort)}},
		{From: prometheusPeers(), Ports: []networkingv1.NetworkPolicyPort{policyPort(corev1.ProtocolTCP, render.OpsPort)}},
	}))
	if render.Mining(f.cfg) {
		objs = append(objs, f.miningPolicies()...)
	}
	return objs
}

func (f *fleet) networkPolicy(instance, component string, rules []networkingv1.NetworkPolicyIngressRule) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: f.meta(instance, labels(instance, component)),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selector(instance, component)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     rules,
		},
	}
}

// rpcPeers are the pods that may call RPC: those carrying
// kubernetes.rpcClientLabel in any namespace, and the fleet's own
// (gateways, and agents that watch the other nodes).
func (f *fleet) rpcPeers() []networkingv1.NetworkPolicyPeer {
	key, value, _ := strings.Cut(f.cfg.Kubernetes.RPCClientLabel, "=")
	return []networkingv1.NetworkPolicyPeer{
		{
			NamespaceSelector: &metav1.LabelSelector{},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{key: value}},
		},
		{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/part-of": "ethfleet"}}},
	}
}

// prometheusPeers are Prometheus servers in any namespace.
func prometheusPeers() []networkingv1.NetworkPolicyPeer {
	return []networkingv1.NetworkPolicyPeer{{
		NamespaceSelector: &metav1.LabelSelector{},
		PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "prometheus"}},
	}}
}

func policyPort(protocol corev1.Protocol, number int32) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: new(protocol), Port: new(intstr.FromInt32(number))}
}
