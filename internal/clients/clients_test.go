package clients

import (
	"slices"
	"strings"
	"testing"
)

// TestArgs checks every client's command line on every network it runs:
// its data directory, the network, the engine API secret where the network
// has one, and no flag given twice.
func TestArgs(t *testing.T) {
	for _, c := range catalog {
		for _, network := range c.Networks {
			nw, ok := LookupNetwork(network)
			if !ok {
				t.Fatalf("%s runs unknown network %s", c.Name, network)
			}
			o := Options{Network: network, DataDir: "/data/x", EngineURL: "http://127.0.0.1:8551", CheckpointSyncURL: nw.CheckpointSyncURL, Extra: []string{"--extra"}}
			if nw.ProofOfStake {
				o.JWTFile = "/secrets/jwt.hex"
			}
			args := c.Args(o)
			line := strings.Join(args, " ")
			for _, want := range []string{"/data/x", network, "--extra"} {
				if !strings.Contains(line, want) {
					t.Errorf("%s on %s: %q lacks %q", c.Name, network, line, want)
				}
			}
			if nw.ProofOfStake != strings.Contains(line, "/secrets/jwt.hex") {
				t.Errorf("%s on %s: JWT secret in %q should be there only on proof of stake", c.Name, network, line)
			}
			if c.Layer == Consensus && (!strings.Contains(line, o.EngineURL) || !strings.Contains(line, o.CheckpointSyncURL)) {
				t.Errorf("%s: %q lacks the engine or checkpoint URL", c.Name, line)
			}
			seen := map[string]bool{}
			for _, a := range args {
				flag, _, _ := strings.Cut(a, "=")
				if strings.HasPrefix(flag, "--") && seen[flag] {
					t.Errorf("%s: flag %s given twice", c.Name, flag)
				}
				seen[flag] = true
			}
			if !Pinned(c.Image) {
				t.Errorf("%s: default image %s is not pinned", c.Name, c.Image)
			}
		}
	}
}

func TestCatalog(t *testing.T) {
	for _, layer := range []Layer{Execution, Consensus} {
		if n := len(Names(layer)); n != 5 {
			t.Errorf("%s clients: %d, want 5", layer, n)
		}
	}
	besu, _ := Lookup(Execution, "besu")
	if !besu.Supports("classic") || slices.ContainsFunc(catalog, func(c Client) bool { return c.Name != "besu" && c.Supports("classic") }) {
		t.Error("only besu runs Ethereum Classic")
	}
	erigon, _ := Lookup(Execution, "erigon")
	if erigon.Port("ws") != 0 || erigon.WSURLPort() != RPCPort {
		t.Errorf("erigon serves WebSocket on its RPC port, got %d", erigon.WSURLPort())
	}
	for _, c := range catalog {
		for _, p := range c.Ports {
			if p.Public != strings.HasPrefix(p.Name, "p2p") {
				t.Errorf("%s: port %s public=%v: only p2p ports are public", c.Name, p.Name, p.Public)
			}
		}
	}
}

func TestPinned(t *testing.T) {
	tests := []struct {
		image string
		want  bool
	}{
		{"ethereum/client-go:v1.17.8", true},
		{"ghcr.io/paradigmxyz/reth:v1.9.3", true},
		{"localhost:5000/geth:v1", true},
		{"sigp/lighthouse@sha256:0123abcd", true},
		{"ethereum/client-go", false},
		{"ethereum/client-go:latest", false},
		{"localhost:5000/geth", false},
		{"geth:stable", false},
		{"geth@md5:00", false},
	}
	for _, tt := range tests {
		if got := Pinned(tt.image); got != tt.want {
			t.Errorf("Pinned(%q) = %v, want %v", tt.image, got, tt.want)
		}
	}
}

// TestEntrypoint: every execution client's image entrypoint is known, as
// an absolute path, for its own repository at any version.
func TestEntrypoint(t *testing.T) {
	for _, name := range Names(Execution) {
		c, _ := Lookup(Execution, name)
		if len(c.Entrypoint) == 0 || !strings.HasPrefix(c.Entrypoint[0], "/") {
			t.Errorf("%s: entrypoint %q, want an absolute path", name, c.Entrypoint)
		}
	}
	geth, _ := Lookup(Execution, "geth")
	tests := []struct {
		image string
		ok    bool
	}{
		{"ethereum/client-go:v1.17.8", true},
		{"ethereum/client-go:v1.16.0", true},
		{"ethereum/client-go@sha256:0123abcd", true},
		{"registry.example:5000/client-go:v1.17.8", false},
		{"example/geth:v1.17.8", false},
	}
	for _, tt := range tests {
		ep, ok := geth.EntrypointOf(tt.image)
		if ok != tt.ok || (ok && ep[0] != "/usr/local/bin/geth") {
			t.Errorf("EntrypointOf(%q) = %q, %v; want ok %v", tt.image, ep, ok, tt.ok)
		}
	}
	lighthouse, _ := Lookup(Consensus, "lighthouse")
	if _, ok := lighthouse.EntrypointOf(lighthouse.Image); ok {
		t.Error("a consensus client has an entrypoint; only execution clients run through hold")
	}
}
