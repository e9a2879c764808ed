package compose

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ethfleet/ethfleet/internal/clients"
)

// Peer-to-peer ports on one host: the clients of the i-th node listen on
// the catalog's port plus i, and publish that same port on every
// interface, so that the port a client advertises to its peers (in its
// ENR or enode) is the one that reaches it. Publishing P+i on a container
// port P instead would leave every node but the first advertising a port
// that leads to another node.

// listenOn moves a client's peer-to-peer port from the catalog's, from, to
// to, by rewriting every --flag=from of its command line (the catalog
// writes each port flag in that form).
func listenOn(args []string, from, to int) []string {
	if from == to {
		return args
	}
	args = slices.Clone(args)
	for i, a := range args {
		if flag, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(flag, "--") && v == strconv.Itoa(from) {
			args[i] = flag + "=" + strconv.Itoa(to)
		}
	}
	return args
}

// peerPorts publishes the peer-to-peer ports of client c of the i-th node
// on every interface; nothing else of a client is published.
func peerPorts(c clients.Client, i int) []port {
	var ps []port
	for _, p := range c.Ports {
		if p.Public {
			n := p.Number + i
			ps = append(ps, port{Target: n, Published: strconv.Itoa(n), HostIP: "0.0.0.0", Protocol: p.Protocol})
		}
	}
	return ps
}

// published publishes a container port on the same port of addr, the
// host address of compose.publish.
func published(addr string, n int) []port {
	return []port{{Target: n, Published: strconv.Itoa(n), HostIP: addr, Protocol: "tcp"}}
}
