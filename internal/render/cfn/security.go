package cfn

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/render"
)

// port is a port and protocol a security group opens.
type port struct {
	Number   int
	Protocol string
	What     string
}

// nodePorts returns the ports of the clients the fleet runs: the public
// peer-to-peer ones, and the private ones others in the fleet read (RPC,
// WS, the Beacon API and the agent's ops port). The engine API and the
// clients' metrics are reached only from the node itself.
func (b *builder) nodePorts() (public, private []port) {
	add := func(list []port, p port) []port {
		if slices.ContainsFunc(list, func(q port) bool { return q.Number == p.Number && q.Protocol == p.Protocol }) {
			return list
		}
		return append(list, p)
	}
	private = add(private, port{render.AgentOpsPort, "tcp", "agent ops"})
	for _, dn := range b.nodes {
		n := dn.node
		ec, _ := clients.Lookup(clients.Execution, n.Execution.Client)
		used := []clients.Client{ec}
		private = add(private, port{ec.Port("rpc"), "tcp", "JSON-RPC"})
		private = add(private, port{ec.WSURLPort(), "tcp", "WebSocket JSON-RPC"})
		if n.Consensus != nil {
			cc, _ := clients.Lookup(clients.Consensus, n.Consensus.Client)
			used = append(used, cc)
			private = add(private, port{cc.Port("beacon"), "tcp", "Beacon API"})
		}
		for _, c := range used {
			for _, p := range c.Ports {
				if p.Public {
					public = add(public, port{p.Number, p.Protocol, string(c.Layer) + " p2p"})
				}
			}
		}
	}
	order := func(a, b port) int {
		return cmp.Or(cmp.Compare(a.Number, b.Number), cmp.Compare(a.Protocol, b.Protocol))
	}
	slices.SortFunc(public, order)
	slices.SortFunc(private, order)
	return public, private
}

// securityGroups adds the groups: AccessSecurityGroup, whose members may
// call RPC; the nodes', open to the internet only on peer-to-peer ports;
// the gateways', reached from the load balancer; the load balancer's,
// reached from AccessSecurityGroup. No group opens port 22: hosts are
// reached with SSM Session Manager.
func (b *builder) securityGroups() {
	public, private := b.nodePorts()
	sg := b.securityGroup
	sg(idAccessSG, "Members may call the ethfleet gateways and nodes", nil)

	var node []Ingress
	for _, p := range public {
		node = append(node, Ingress{IpProtocol: p.Protocol, FromPort: p.Number, ToPort: p.Number, CidrIp: "0.0.0.0/0", Description: p.What})
	}
	for _, p := range private {
		for _, from := range []string{idAccessSG, idGatewaySG} {
			node = append(node, Ingress{IpProtocol: p.Protocol, FromPort: p.Number, ToPort: p.Number,
				SourceSecurityGroupId: Ref(from), Description: p.What + " from " + from})
		}
		// A group cannot name itself inline: the rule between nodes is
		// a resource of its own.
		b.t.add(fmt.Sprintf("NodeSecurityGroupIngress%d", p.Number), Resource{Type: "AWS::EC2::SecurityGroupIngress", Properties: Ingress{
			GroupId: Ref(idNodeSG), IpProtocol: p.Protocol, FromPort: p.Number, ToPort: p.Number,
			SourceSecurityGroupId: Ref(idNodeSG), Description: p.What + " between nodes",
		}})
	}
	sg(idNodeSG, "ethfleet nodes: peer-to-peer from anywhere, RPC from the fleet", node)

	var gateway []Ingress
	for _, p := range []port{{render.GatewayPort, "tcp", "JSON-RPC"}, {render.OpsPort, "tcp", "health check"}} {
		gateway = append(gateway, Ingress{IpProtocol: p.Protocol, FromPort: p.Number, ToPort: p.Number,
			SourceSecurityGroupId: Ref(idLoadBalSG), Description: p.What + " from the load balancer"})
	}
	sg(idGatewaySG, "ethfleet gateways: reached from their load balancer", gateway)

	var lb []Ingress
	for _, p := range b.listenerPorts() {
		lb = append(lb, Ingress{IpProtocol: "tcp", FromPort: p, ToPort: p, SourceSecurityGroupId: Ref(idAccessSG), Description: "from " + idAccessSG})
	}
	sg(idLoadBalSG, "ethfleet gateways' load balancer: reached from AccessSecurityGroup", lb)
}

// securityGroup adds a security group of the fleet's VPC.
func (b *builder) securityGroup(id, description string, ingress []Ingress) {
	b.t.add(id, Resource{Type: "AWS::EC2::SecurityGroup", Properties: SecurityGroup{
		GroupDescription: description, VpcId: b.vpc, SecurityGroupIngress: ingress, Tags: b.name(id),
	}})
}

// listenerPorts are the load balancer's: 80, and 443 with a certificate.
func (b *builder) listenerPorts() []int {
	if b.cfg.AWS.CertificateARN != "" {
		return []int{80, 443}
	}
	return []int{80}
}
