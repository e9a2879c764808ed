package agent

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/publicaddr"
	"github.com/ethfleet/ethfleet/internal/supervise"
)

// startClient starts the execution client the agent supervises, with
// flags computed from the node's entry: data dir, the ports of its rpc and
// ws URLs, the engine API secret, and the public address peers should
// dial, if one is found.
func (s *Service) startClient(ctx context.Context, node config.Node) (*supervise.Supervisor, error) {
	c := s.opts.Config.Agent.Client
	opts := supervise.GethOptions{
		DataDir:   node.DataDir,
		Network:   gethNetwork(s.opts.Config.Network.Name),
		SyncMode:  c.SyncMode,
		JWTSecret: c.JWTSecret,
		P2PPort:   c.P2PPort,
		Extra:     c.Args,
	}
	var err error
	if opts.HTTPPort, err = port(node.RPC); err != nil {
		return nil, fmt.Errorf("agent: nodes[%s].rpc: %w", node.Name, err)
	}
	if !node.WS.IsZero() {
		opts.WS = true
		if opts.WSPort, err = port(node.WS); err != nil {
			return nil, fmt.Errorf("agent: nodes[%s].ws: %w", node.Name, err)
		}
	}
	if addr, err := s.discover().Public(ctx); err != nil {
		s.log.Warn("no public address: peers learn the node's address from geth's own NAT discovery", "why", err)
	} else {
		s.log.Info("public address found", "ip", addr.IP, "source", addr.Source)
		opts.PublicIP = addr.IP
	}
	args, err := supervise.GethArgs(opts)
	if err != nil {
		return nil, fmt.Errorf("agent: client flags: %w", err)
	}
	sup, err := supervise.New(supervise.Spec{
		Name:        node.Name,
		Path:        c.Command,
		Args:        args,
		StopTimeout: c.StopTimeout,
		Logger:      s.log.With("part", "client"),
	})
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	return sup, nil
}

// discover returns the address discoverer: configured addresses first,
// then the cloud's metadata services.
func (s *Service) discover() *publicaddr.Discoverer {
	a := s.opts.Config.Agent
	d := &publicaddr.Discoverer{EC2URL: s.opts.EC2MetadataURL, GCEURL: s.opts.GCEMetadataURL}
	d.PublicIP, _ = netip.ParseAddr(a.PublicAddress)
	if a.DNS != nil {
		d.PrivateIP, _ = netip.ParseAddr(a.DNS.Address)
	}
	return d
}

// port is the port of a node URL, or its scheme's default.
func port(s config.Secret) (int, error) {
	u, err := url.Parse(s.Reveal())
	if err != nil {
		return 0, fmt.Errorf("%s is not a URL", s)
	}
	switch p := u.Port(); {
	case p != "":
		return strconv.Atoi(p)
	case u.Scheme == "https" || u.Scheme == "wss":
		return 443, nil
	default:
		return 80, nil
	}
}

// gethNetwork is the network GethArgs knows by the fleet's network name;
// a devnet or private network gets no flag.
func gethNetwork(name string) string {
	switch name {
	case "sepolia", "hoodi":
		return name
	default:
		return "mainnet"
	}
}
