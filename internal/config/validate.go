package config

import (
	"fmt"
	"maps"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Limits that validation enforces.
const (
	maxFollowers = 16
	minBlockTime = 50 * time.Millisecond
)

// resolveSecrets expands the ${NAME} references of every Secret.
func (c *Config) resolveSecrets(ps *problems, lookup func(string) (string, bool)) {
	resolve := func(key string, s *Secret) {
		if err := s.resolve(lookup); err != nil {
			ps.add(key, "%v", err)
		}
	}
	for i := range c.Nodes {
		resolve(fmt.Sprintf("nodes[%d].rpc", i), &c.Nodes[i].RPC)
		resolve(fmt.Sprintf("nodes[%d].ws", i), &c.Nodes[i].WS)
	}
	for i := range c.References {
		resolve(fmt.Sprintf("references[%d].rpc", i), &c.References[i].RPC)
	}
	for i := range c.Gateway.APIKeys {
		resolve(fmt.Sprintf("gateway.apiKeys[%d].key", i), &c.Gateway.APIKeys[i].Key)
	}
	resolve("mining.node", &c.Mining.Node)
}

// validate checks a defaulted Config and records every problem.
func (c *Config) validate(ps *problems) {
	d := c.Devnet
	if *d.Followers < 0 || *d.Followers > maxFollowers {
		ps.add("devnet.followers", "must be between 0 and %d, got %d", maxFollowers, *d.Followers)
	}
	if d.BlockTime < minBlockTime {
		ps.add("devnet.blockTime", "must be at least %s, got %s", minBlockTime, d.BlockTime)
	}
	if *d.TxPerBlock < 0 {
		ps.add("devnet.txPerBlock", "must not be negative, got %d", *d.TxPerBlock)
	}
	if sn := d.Snapshots; !sn.Store.IsZero() {
		checkURL(ps, "devnet.snapshots.store", sn.Store, "file", "s3")
	}
	if *d.Snapshots.Every < 0 {
		ps.add("devnet.snapshots.every", "must not be negative, got %s", *d.Snapshots.Every)
	}
	if d.Snapshots.Keep < 1 {
		ps.add("devnet.snapshots.keep", "must be at least 1, got %d", d.Snapshots.Keep)
	}

	c.validateNodes(ps)

	g := c.Gateway
	checkListen(ps, "gateway.listen", g.Listen)
	if *g.HeapFloor < 0 {
		ps.add("gateway.heapFloor", "must not be negative, got %d", *g.HeapFloor)
	}
	if *g.Cache.MaxBytes < 0 {
		ps.add("gateway.cache.maxBytes", "must not be negative, got %d", *g.Cache.MaxBytes)
	}
	if g.Fallback && len(c.References) == 0 {
		ps.add("gateway.fallback", "needs at least one entry in references")
	}
	if g.MaxBatch < 1 {
		ps.add("gateway.maxBatch", "must be at least 1, got %d", g.MaxBatch)
	}
	if g.UpstreamConcurrency < 0 {
		ps.add("gateway.upstreamConcurrency", "must be 0 (no bound) or more, got %d", g.UpstreamConcurrency)
	}
	if g.MaxBodyBytes < 1024 {
		ps.add("gateway.maxBodyBytes", "must be at least 1024, got %d", g.MaxBodyBytes)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"gateway.requestTimeout", g.RequestTimeout}, {"gateway.readHeaderTimeout", g.ReadHeaderTimeout}, {"gateway.idleTimeout", g.IdleTimeout}} {
		if d.v < 0 {
			ps.add(d.key, "must not be negative, got %s", d.v)
		}
	}
	c.Gateway.validateAccess(ps)
	c.Gateway.validateExposure(ps)
	c.validateDeploy(ps)
	c.Mining.validate(ps)
	if a := c.Agent; a.Node != "" && !slices.ContainsFunc(c.Nodes, func(n Node) bool { return n.Name == a.Node }) {
		ps.add("agent.node", "%q is not the name of an entry of nodes", a.Node)
	}
	c.Agent.validate(ps, c)
	checkListen(ps, "ops.listen", c.Ops.Listen)
	if c.Ops.Listen == g.Listen && !strings.HasSuffix(g.Listen, ":0") {
		ps.add("ops.listen", "must differ from gateway.listen (%s)", g.Listen)
	}
}

// validateNodes checks the nodes and references, whose names share one
// namespace.
func (c *Config) validateNodes(ps *problems) {
	names := map[string]string{} // name -> key that first used it
	for i, n := range c.Nodes {
		key := fmt.Sprintf("nodes[%d]", i)
		checkName(ps, names, key, n.Name)
		if n.RPC.IsZero() && !n.Deployed() {
			ps.add(key+".rpc", "is required (or execution, for a node ethfleet deploys)")
		} else if !n.RPC.IsZero() {
			checkURL(ps, key+".rpc", n.RPC, "http", "https")
		}
		if !n.WS.IsZero() {
			checkURL(ps, key+".ws", n.WS, "ws", "wss")
		}
		if !n.Beacon.IsZero() {
			checkURL(ps, key+".beacon", n.Beacon, "http", "https")
		}
	}
	for i, r := range c.References {
		key := fmt.Sprintf("references[%d]", i)
		checkName(ps, names, key, r.Name)
		if r.RPC.IsZero() {
			ps.add(key+".rpc", "is required")
		} else {
			checkURL(ps, key+".rpc", r.RPC, "http", "https", "ws", "wss")
		}
	}
}

func checkName(ps *problems, seen map[string]string, key, name string) {
	if name == "" {
		ps.add(key+".name", "is required")
		return
	}
	if first, dup := seen[name]; dup {
		ps.add(key+".name", "%q is already used by %s", name, first)
		return
	}
	seen[name] = key
}

// checkURL checks a URL's scheme and host. Its messages quote the secret as
// written, never its resolved value.
func checkURL(ps *problems, key string, s Secret, schemes ...string) {
	u, err := url.Parse(s.Reveal())
	if err != nil {
		ps.add(key, "%q is not a URL", s.String())
		return
	}
	for _, scheme := range schemes {
		if u.Scheme == scheme {
			if u.Host == "" && u.Scheme != "file" {
				ps.add(key, "%q has no host", s.String())
			}
			return
		}
	}
	ps.add(key, "%q must use one of the schemes %v", s.String(), schemes)
}

func checkListen(ps *problems, key, addr string) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		ps.add(key, "%q is not a host:port address", addr)
	}
}

// Validate checks a Config that code changed after loading (command-line
// flags, say); source names where the changes came from in its messages.
func (c *Config) Validate(source string) error {
	ps := &problems{file: source, lines: map[string]int{}}
	c.validate(ps)
	return ps.err()
}

// minKeyLength keeps API keys long enough not to be guessed.
const minKeyLength = 16

// validateAccess checks who may call what, and how much.
func (g *Gateway) validateAccess(ps *problems) {
	for _, list := range []struct {
		key   string
		rules []string
	}{{"gateway.methods.deny", g.Methods.Deny}, {"gateway.methods.allow", g.Methods.Allow}} {
		for i, r := range list.rules {
			if r == "" || strings.ContainsAny(r, " \t/") {
				ps.add(fmt.Sprintf("%s[%d]", list.key, i), "%q is not a method name or a namespace such as \"debug_\"", r)
			}
		}
	}
	names := map[string]string{}
	for i, k := range g.APIKeys {
		key := fmt.Sprintf("gateway.apiKeys[%d]", i)
		checkName(ps, names, key, k.Name)
		if n := len(k.Key.Reveal()); n < minKeyLength {
			ps.add(key+".key", "must be at least %d characters, got %d", minKeyLength, n)
		}
	}
	for _, b := range []struct {
		key   string
		limit *Limit
	}{{"gateway.rateLimit.perKey", g.RateLimit.PerKey}, {"gateway.rateLimit.perIP", g.RateLimit.PerIP}} {
		if b.limit == nil {
			continue
		}
		if b.limit.Rate <= 0 {
			ps.add(b.key+".rate", "must be positive, got %v", b.limit.Rate)
		}
		if b.limit.Burst < 1 {
			ps.add(b.key+".burst", "must be at least 1, got %d", b.limit.Burst)
		}
	}
	for _, method := range slices.Sorted(maps.Keys(g.RateLimit.MethodCost)) {
		if cost := g.RateLimit.MethodCost[method]; cost < 0 {
			ps.add("gateway.rateLimit.methodCost."+method, "must not be negative, got %d", cost)
		}
	}
	if (g.TLS.CertFile == "") != (g.TLS.KeyFile == "") {
		ps.add("gateway.tls", "certFile and keyFile go together")
	}
}

// validate checks the agent's section.
func (a *Agent) validate(ps *problems, c *Config) {
	if a.MaxHeadAge < 0 {
		ps.add("agent.maxHeadAge", "must not be negative, got %s", a.MaxHeadAge)
	}
	checkIPv4(ps, "agent.publicAddress", a.PublicAddress)
	if a.Client != nil {
		if a.Client.Command == "" {
			ps.add("agent.client.command", "is required: the path of the client's binary")
		}
		if m := a.Client.SyncMode; m != "" && m != "snap" && m != "full" {
			ps.add("agent.client.syncMode", "must be snap or full, got %q", m)
		}
		if a.Node != "" && slices.ContainsFunc(c.Nodes, func(n Node) bool { return n.Name == a.Node && n.DataDir == "" }) {
			ps.add("agent.client", "needs the node's dataDir (nodes[].dataDir of %s)", a.Node)
		}
	}
	if sn := a.Snapshots; sn != nil {
		if sn.Store.IsZero() {
			ps.add("agent.snapshots.store", "is required")
		} else {
			checkURL(ps, "agent.snapshots.store", sn.Store, "file", "s3")
		}
		ways := 0
		for _, set := range []bool{a.Client != nil, len(sn.Containers) > 0, sn.Hold != ""} {
			if set {
				ways++
			}
		}
		switch {
		case ways == 0:
			ps.add("agent.snapshots", "needs agent.client (a client the agent runs), containers (the Docker containers of the node's clients) or hold (the directory of a client started by `ethfleet hold run`)")
		case ways > 1:
			ps.add("agent.snapshots", "takes one of agent.client, containers and hold: they are three ways of running the client")
		}
		if sn.Hold != "" && !filepath.IsAbs(sn.Hold) {
			ps.add("agent.snapshots.hold", "must be an absolute path, got %q", sn.Hold)
		}
	}
	if d := a.DNS; d != nil {
		if d.ZoneID == "" {
			ps.add("agent.dns.zoneId", "is required")
		}
		if d.Name == "" {
			ps.add("agent.dns.name", "is required")
		}
		checkIPv4(ps, "agent.dns.address", d.Address)
	}
}

func checkIPv4(ps *problems, key, s string) {
	if s == "" {
		return
	}
	if ip, err := netip.ParseAddr(s); err != nil || !ip.Is4() {
		ps.add(key, "%q is not an IPv4 address", s)
	}
}
