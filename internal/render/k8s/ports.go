package k8s

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Containers of a node's pod.
const (
	execution = "execution"
	consensus = "consensus"
	agent     = "agent"
)

// port is one port of a node's pod and who may reach it.
type port struct {
	name      string // unique in the pod, at most 15 characters
	number    int32
	protocol  corev1.Protocol
	container string
	// fleet ports are reached by RPC clients and the fleet's own pods,
	// metrics ports by Prometheus, public ports (p2p) by anyone; a port
	// that is none of these (the engine API) is reached only inside the
	// pod.
	fleet, metrics, public bool
}

// service reports whether the node's Service lists the port.
func (p port) service() bool { return p.fleet || p.metrics }

// ports lists every port of the node's pod: its clients' from the catalog
// (the consensus client's named with a beacon prefix, as names must be
// unique in a pod) and the agent's ops port.
func (nd node) ports() []port {
	var ps []port
	add := func(c clients.Client, container string) {
		for _, cp := range c.Ports {
			name := cp.Name
			if container == consensus && name != "beacon" {
				name = "beacon-" + name
			}
			p := port{
				name: name, number: int32(cp.Number), container: container,
				protocol: corev1.ProtocolTCP, public: cp.Public,
			}
			if cp.Protocol == "udp" {
				p.protocol = corev1.ProtocolUDP
			}
			switch cp.Name {
			case "rpc", "ws", "beacon":
				p.fleet = true
			case "metrics":
				p.metrics = true
			}
			ps = append(ps, p)
		}
	}
	add(nd.ec, execution)
	if nd.cc != nil {
		add(*nd.cc, consensus)
	}
	ps = append(ps, port{name: "ops", number: render.AgentOpsPort, protocol: corev1.ProtocolTCP, container: agent, fleet: true, metrics: true})
	return ps
}

// containerPorts returns the ports container listens on.
func (nd node) containerPorts(container string) []corev1.ContainerPort {
	var cps []corev1.ContainerPort
	for _, p := range nd.ports() {
		if p.container == container {
			cps = append(cps, corev1.ContainerPort{Name: p.name, ContainerPort: p.number, Protocol: p.protocol})
		}
	}
	return cps
}
