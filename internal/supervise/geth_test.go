package supervise

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestGethArgs(t *testing.T) {
	tests := []struct {
		name string
		opts GethOptions
		want []string
	}{
		{
			name: "defaults: mainnet, loopback, geth's ports",
			opts: GethOptions{DataDir: "/data/geth"},
			want: []string{
				"--datadir=/data/geth",
				"--http", "--http.addr=127.0.0.1", "--http.port=8545", "--http.api=eth,net,web3",
				"--authrpc.addr=127.0.0.1", "--authrpc.port=8551",
				"--port=30303",
			},
		},
		{
			name: "everything",
			opts: GethOptions{
				DataDir: "/data/geth", Network: "sepolia", SyncMode: "snap",
				HTTPAddr: "10.0.1.5", HTTPPort: 18545, APIs: []string{"eth", "net"}, VHosts: []string{"geth-1.nodes.internal"},
				WS:       true,
				AuthPort: 18551, JWTSecret: "/data/jwt.hex",
				P2PPort: 30304, PublicIP: netip.MustParseAddr("203.0.113.7"),
				Extra: []string{"--cache=4096"},
			},
			want: []string{
				"--datadir=/data/geth", "--sepolia", "--syncmode=snap",
				"--http", "--http.addr=10.0.1.5", "--http.port=18545", "--http.api=eth,net",
				"--http.vhosts=geth-1.nodes.internal",
				"--ws", "--ws.addr=10.0.1.5", "--ws.port=18545", "--ws.api=eth,net",
				"--authrpc.addr=127.0.0.1", "--authrpc.port=18551", "--authrpc.jwtsecret=/data/jwt.hex",
				"--port=30304", "--nat=extip:203.0.113.7",
				"--cache=4096",
			},
		},
		{
			name: "hoodi, full sync, WS on its own port, IPv4-mapped public IP",
			opts: GethOptions{
				DataDir: "d", Network: "hoodi", SyncMode: "full", WS: true, WSPort: 8546,
				PublicIP: netip.MustParseAddr("::ffff:198.51.100.2"),
			},
			want: []string{
				"--datadir=d", "--hoodi", "--syncmode=full",
				"--http", "--http.addr=127.0.0.1", "--http.port=8545", "--http.api=eth,net,web3",
				"--ws", "--ws.addr=127.0.0.1", "--ws.port=8546", "--ws.api=eth,net,web3",
				"--authrpc.addr=127.0.0.1", "--authrpc.port=8551",
				"--port=30303", "--nat=extip:198.51.100.2",
			},
		},
		{
			name: "mainnet by name",
			opts: GethOptions{DataDir: "d", Network: "mainnet"},
			want: []string{
				"--datadir=d",
				"--http", "--http.addr=127.0.0.1", "--http.port=8545", "--http.api=eth,net,web3",
				"--authrpc.addr=127.0.0.1", "--authrpc.port=8551",
				"--port=30303",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GethArgs(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("GethArgs =\n  %q\nwant\n  %q", got, tt.want)
			}
		})
	}
}

func TestGethArgsRefuses(t *testing.T) {
	tests := []struct {
		name string
		opts GethOptions
		want string
	}{
		{"no datadir", GethOptions{}, "no data directory"},
		{"unknown network", GethOptions{DataDir: "d", Network: "goerli"}, `unknown network "goerli"`},
		{"unknown sync mode", GethOptions{DataDir: "d", SyncMode: "light"}, `unknown sync mode "light"`},
		{"port out of range", GethOptions{DataDir: "d", P2PPort: 70000}, "p2p port 70000 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := GethArgs(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("GethArgs = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestGethFlagsExist checks every flag GethArgs emits against the flag
// table of the go-ethereum this module pins (cmd/utils/flags.go): a
// misspelt or removed flag fails here rather than at a node's start. It
// also checks that boolean flags are given no value and the others one.
func TestGethFlagsExist(t *testing.T) {
	flags := gethFlags(t)
	args, err := GethArgs(GethOptions{
		DataDir: "d", Network: "sepolia", SyncMode: "snap", VHosts: []string{"h"}, WS: true,
		JWTSecret: "j", PublicIP: netip.MustParseAddr("203.0.113.7"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, net := range []string{"sepolia", "hoodi"} {
		args = append(args, networkFlags[net])
	}
	for _, arg := range args {
		name, _, hasValue := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		kind, ok := flags[name]
		switch {
		case !ok:
			t.Errorf("%s: go-ethereum has no flag %q", arg, name)
		case kind == "BoolFlag" && hasValue:
			t.Errorf("%s: %q is a boolean flag", arg, name)
		case kind != "BoolFlag" && !hasValue:
			t.Errorf("%s: %q (%s) needs a value", arg, name, kind)
		}
	}
}

// flagDecl matches a flag declaration's type and its Name field.
var flagDecl = regexp.MustCompile(`&\w+\.(\w+Flag)\{\s*Name:\s*"([^"]+)"`)

// gethFlags returns go-ethereum's command-line flags by name, with the
// type each is declared with (BoolFlag, StringFlag, …).
func gethFlags(t *testing.T) map[string]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/ethereum/go-ethereum").Output()
	if err != nil {
		t.Fatalf("locating go-ethereum's source: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "cmd", "utils", "flags.go"))
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]string{}
	for _, m := range flagDecl.FindAllStringSubmatch(string(src), -1) {
		flags[m[2]] = m[1]
	}
	if len(flags) < 100 || flags["datadir"] == "" || flags["http"] != "BoolFlag" {
		t.Fatalf("parsed %d flags from flags.go (datadir %q, http %q): the parser no longer fits the file",
			len(flags), flags["datadir"], flags["http"])
	}
	return flags
}
