package powtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// BinaryEnv names the environment variable holding core-geth's path.
const BinaryEnv = "ETHFLEET_CORE_GETH"

// Difficulty is the dev.pow chain's difficulty at its first blocks.
const Difficulty = 131072

// startTimeout bounds how long the node may take to answer RPC.
const startTimeout = 60 * time.Second

// Options tunes the node.
type Options struct {
	// DAGDir, when set, is where core-geth keeps its ethash DAGs
	// (--ethash.dagdir), so that a long test can reuse a DAG between
	// runs; by default they go to the test's temporary directory.
	DAGDir string
	// Args are extra command-line arguments.
	Args []string
}

// Node is a running core-geth.
type Node struct {
	url string
	rpc *rpc.Client
}

// Binary returns core-geth's path from ETHFLEET_CORE_GETH. Without a
// usable binary it skips the test, or fails it when CI is set.
func Binary(t testing.TB) string {
	t.Helper()
	path := os.Getenv(BinaryEnv)
	problem := ""
	if path == "" {
		problem = BinaryEnv + " is not set"
	} else if fi, err := os.Stat(path); err != nil {
		problem = fmt.Sprintf("%s=%s: %v", BinaryEnv, path, err)
	} else if fi.IsDir() || fi.Mode()&0o111 == 0 {
		problem = fmt.Sprintf("%s=%s is not an executable file", BinaryEnv, path)
	}
	if problem == "" {
		return path
	}
	msg := problem + "; build core-geth with `(cd tools/coregeth && go build -ldflags=-checklinkname=0 -o /tmp/core-geth github.com/ethereum/go-ethereum/cmd/geth)` and set " + BinaryEnv + "=/tmp/core-geth (.ci/run does both)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Start runs core-geth on a fresh dev.pow chain in t.TempDir(), with its
// HTTP JSON-RPC (eth, net, web3, miner, and ethash for
// ethash_getHashrate, which sums the hashrates miners report) on a free
// loopback port, and waits until it answers. The node is killed when the test ends; its log
// is shown when the test failed.
func Start(t testing.TB, opts Options) *Node {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	dagDir := opts.DAGDir
	if dagDir == "" {
		dagDir = filepath.Join(dir, "dag")
	}
	args := append(Args(dir, dagDir), opts.Args...)

	logPath := filepath.Join(dir, "geth.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("powtest: %v", err)
	}
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatalf("powtest: %v", err)
	}
	cmd.Stdout = logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("powtest: starting %s: %v", bin, err)
	}
	endpoint := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		scanHTTPEndpoint(io.TeeReader(stderr, logFile), endpoint)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-copied
		_ = cmd.Wait()
		_ = logFile.Close()
		if t.Failed() {
			showLog(t, logPath)
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	var url string
	select {
	case url = <-endpoint:
	case <-copied:
		t.Fatalf("powtest: core-geth exited before serving HTTP (log: %s)", logPath)
	case <-ctx.Done():
		t.Fatalf("powtest: core-geth did not serve HTTP within %s", startTimeout)
	}
	client, err := rpc.DialContext(ctx, url)
	if err != nil {
		t.Fatalf("powtest: %v", err)
	}
	t.Cleanup(client.Close)
	n := &Node{url: url, rpc: client}
	if err := n.awaitRPC(ctx); err != nil {
		t.Fatalf("powtest: core-geth at %s: %v", url, err)
	}
	return n
}

// Args is core-geth's command line for a dev.pow chain in dataDir:
// no peers, no IPC, HTTP and the engine API on free loopback ports, and
// no local mining (--miner.threads 0 leaves sealing to getWork clients).
func Args(dataDir, dagDir string) []string {
	return []string{
		"--dev.pow", "--lightkdf", "--miner.threads", "0",
		"--datadir", filepath.Join(dataDir, "data"),
		"--ethash.dagdir", dagDir,
		"--ethash.cachedir", filepath.Join(dataDir, "ethash-cache"),
		"--http", "--http.addr", "127.0.0.1", "--http.port", "0",
		"--http.api", "eth,net,web3,miner,ethash",
		"--authrpc.addr", "127.0.0.1", "--authrpc.port", "0",
		"--nodiscover", "--maxpeers", "0", "--ipcdisable",
	}
}

// httpStarted matches the log line of the plain (not engine API) HTTP
// server: `HTTP server started endpoint=127.0.0.1:40123 auth=false`.
var httpStarted = regexp.MustCompile(`HTTP server started\s+endpoint=(\S+)\s+auth=false`)

// scanHTTPEndpoint reads the log to its end, sending the first HTTP
// endpoint it names.
func scanHTTPEndpoint(r io.Reader, endpoint chan<- string) {
	sc := bufio.NewScanner(r)
	sent := false
	for sc.Scan() {
		if m := httpStarted.FindStringSubmatch(sc.Text()); m != nil && !sent {
			endpoint <- "http://" + m[1]
			sent = true
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

func (n *Node) awaitRPC(ctx context.Context) error {
	for {
		_, err := n.Head(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// URL is the node's HTTP JSON-RPC endpoint.
func (n *Node) URL() string { return n.url }

// RPC is a client of the node, closed when the test ends.
func (n *Node) RPC() *rpc.Client { return n.rpc }

// Head returns the number of the chain's latest block.
func (n *Node) Head(ctx context.Context) (uint64, error) {
	var head hexutil.Uint64
	if err := n.rpc.CallContext(ctx, &head, "eth_blockNumber"); err != nil {
		return 0, fmt.Errorf("eth_blockNumber: %w", err)
	}
	return uint64(head), nil
}

func showLog(t testing.TB, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	t.Logf("core-geth log (last %d lines):\n%s", len(lines), strings.Join(lines, "\n"))
}
