package k8s

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// startupProbe waits up to an hour for a client to open port: opening a
// large database, or the first start after a restore, takes long, and
// liveness is not checked until it does.
func startupProbe(port string) *corev1.Probe { return tcpProbe(port, 10, 5, 360) }

// livenessProbe restarts a container whose port has refused connections
// for five minutes: a busy client answers slowly, a dead one not at all.
func livenessProbe(port string) *corev1.Probe { return tcpProbe(port, 30, 10, 10) }

// tcpProbe connects to port every period seconds, waiting timeout seconds
// for each attempt; failures attempts in a row failing fail the probe.
func tcpProbe(port string, period, timeout, failures int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(port)}},
		PeriodSeconds:    period,
		TimeoutSeconds:   timeout,
		FailureThreshold: failures,
	}
}

// readinessProbe asks the ops port's /ready: a node is ready when synced,
// a gateway when it has a node to serve from.
func readinessProbe() *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("ops")}},
		PeriodSeconds:    10,
		TimeoutSeconds:   5,
		FailureThreshold: 3,
	}
}
