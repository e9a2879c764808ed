package supervise

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Defaults GethArgs uses for zero GethOptions fields: geth's own ports,
// every listener on loopback.
const (
	DefaultGethHTTPAddr = "127.0.0.1"
	DefaultGethHTTPPort = 8545
	DefaultGethAuthAddr = "127.0.0.1"
	DefaultGethAuthPort = 8551
	DefaultGethP2PPort  = 30303
)

// DefaultGethAPIs are the JSON-RPC namespaces served over HTTP and
// WebSocket when GethOptions.APIs is empty: what the gateway forwards, and
// nothing that administers the node.
var DefaultGethAPIs = []string{"eth", "net", "web3"}

// GethOptions are the settings GethArgs turns into geth flags.
type GethOptions struct {
	// DataDir is geth's data directory (required).
	DataDir string
	// Network is "mainnet" (or empty), "sepolia" or "hoodi".
	Network string
	// SyncMode is "snap" or "full"; empty leaves geth's default (snap).
	SyncMode string

	// HTTPAddr and HTTPPort are where JSON-RPC over HTTP listens;
	// defaults 127.0.0.1 and 8545.
	HTTPAddr string
	HTTPPort int
	// APIs are the namespaces served over HTTP and WebSocket; default
	// DefaultGethAPIs.
	APIs []string
	// VHosts are the Host header values geth accepts over HTTP besides IP
	// addresses; empty leaves geth's default ("localhost"). Needed when
	// clients reach the node by a DNS name.
	VHosts []string
	// WS serves JSON-RPC over WebSocket too, on WSPort, or on the HTTP
	// port when WSPort is 0 (geth serves both on one port then).
	WS     bool
	WSPort int

	// AuthAddr and AuthPort are where the engine API for the consensus
	// client listens; defaults 127.0.0.1 and 8551.
	AuthAddr string
	AuthPort int
	// JWTSecret is the path of the engine API's shared secret; empty lets
	// geth create one in its data directory.
	JWTSecret string

	// P2PPort is the devp2p TCP and UDP port; default 30303.
	P2PPort int
	// PublicIP, when valid, is announced to peers (--nat extip:IP). When
	// it is not, geth's own NAT discovery applies.
	PublicIP netip.Addr

	// Extra flags are appended as they are, after the computed ones.
	Extra []string
}

// networkFlags maps a network name to the flag that selects it; mainnet
// is geth's default and needs none.
var networkFlags = map[string]string{
	"":        "",
	"mainnet": "",
	"sepolia": "--sepolia",
	"hoodi":   "--hoodi",
}

// GethArgs returns geth's command-line arguments (without the program
// name) for o, each flag as one "--name" or "--name=value" element. It
// fails for options geth would refuse: no data directory, an unknown
// network or sync mode, a port out of range.
func GethArgs(o GethOptions) ([]string, error) {
	if err := o.check(); err != nil {
		return nil, fmt.Errorf("geth args: %w", err)
	}
	o = o.withDefaults()
	apis := strings.Join(o.APIs, ",")

	args := []string{"--datadir=" + o.DataDir}
	if f := networkFlags[o.Network]; f != "" {
		args = append(args, f)
	}
	if o.SyncMode != "" {
		args = append(args, "--syncmode="+o.SyncMode)
	}
	args = append(args,
		"--http",
		"--http.addr="+o.HTTPAddr,
		"--http.port="+strconv.Itoa(o.HTTPPort),
		"--http.api="+apis,
	)
	if len(o.VHosts) > 0 {
		args = append(args, "--http.vhosts="+strings.Join(o.VHosts, ","))
	}
	if o.WS {
		args = append(args,
			"--ws",
			"--ws.addr="+o.HTTPAddr,
			"--ws.port="+strconv.Itoa(o.WSPort),
			"--ws.api="+apis,
		)
	}
	args = append(args,
		"--authrpc.addr="+o.AuthAddr,
		"--authrpc.port="+strconv.Itoa(o.AuthPort),
	)
	if o.JWTSecret != "" {
		args = append(args, "--authrpc.jwtsecret="+o.JWTSecret)
	}
	args = append(args, "--port="+strconv.Itoa(o.P2PPort))
	if o.PublicIP.IsValid() {
		args = append(args, "--nat=extip:"+o.PublicIP.Unmap().String())
	}
	return append(args, o.Extra...), nil
}

// check reports the first option geth would refuse.
func (o GethOptions) check() error {
	if o.DataDir == "" {
		return errors.New("no data directory")
	}
	if _, ok := networkFlags[o.Network]; !ok {
		return fmt.Errorf("unknown network %q (want mainnet, sepolia or hoodi)", o.Network)
	}
	switch o.SyncMode {
	case "", "snap", "full":
	default:
		return fmt.Errorf("unknown sync mode %q (want snap or full)", o.SyncMode)
	}
	for _, p := range []struct {
		name string
		port int
	}{{"HTTP", o.HTTPPort}, {"WS", o.WSPort}, {"auth", o.AuthPort}, {"p2p", o.P2PPort}} {
		if p.port < 0 || p.port > 65535 {
			return fmt.Errorf("%s port %d out of range", p.name, p.port)
		}
	}
	return nil
}

// withDefaults fills in the zero fields.
func (o GethOptions) withDefaults() GethOptions {
	if o.HTTPAddr == "" {
		o.HTTPAddr = DefaultGethHTTPAddr
	}
	if o.HTTPPort == 0 {
		o.HTTPPort = DefaultGethHTTPPort
	}
	if len(o.APIs) == 0 {
		o.APIs = DefaultGethAPIs
	}
	if o.WSPort == 0 {
		o.WSPort = o.HTTPPort
	}
	if o.AuthAddr == "" {
		o.AuthAddr = DefaultGethAuthAddr
	}
	if o.AuthPort == 0 {
		o.AuthPort = DefaultGethAuthPort
	}
	if o.P2PPort == 0 {
		o.P2PPort = DefaultGethP2PPort
	}
	return o
}
