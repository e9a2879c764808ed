package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	gethlog "github.com/ethereum/go-ethereum/log"

	"github.com/ethfleet/ethfleet/internal/devnet"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "upstream:", err)
		os.Exit(1)
	}
}

// urls is what upstream prints once it serves.
type urls struct {
	RPC    string `json:"rpc,omitempty"`
	WS     string `json:"ws,omitempty"`
	Bare   string `json:"bare,omitempty"`
	Fanout string `json:"fanout,omitempty"`
	Head   uint64 `json:"head,omitempty"`
}

func run() error {
	var (
		stub       = flag.Bool("stub", false, "serve the fast Go stub")
		dev        = flag.Bool("devnet", false, "serve a devnet node")
		fanout     = flag.Bool("fanout", false, "serve the fan-out floor: plain TCP, one message to every connection every -block-time")
		fanoutSize = flag.Int("fanout-size", 1400, "fanout: bytes per message")
		relayTo    = flag.String("relay", "", "serve the proxy floor: a plain TCP relay to this host:port")
		listen     = flag.String("listen", "127.0.0.1:0", "stub, fanout and relay: listen address")
		blockTime  = flag.Duration("block-time", time.Second, "time between heads")
		start      = flag.Uint64("start-block", 1000, "stub: the head at start")
		txPerBlock = flag.Int("tx-per-block", 4, "transactions per block")
		chainID    = flag.Uint64("chain-id", 1337, "stub: chain ID")
		peers      = flag.Uint64("peers", 5, "stub: peers reported")
		finality   = flag.Uint64("finality", 2, "stub: blocks between the head and the finalized block")
		dataDir    = flag.String("datadir", "", "devnet: data directory (default: a temporary one, removed on exit)")
		minBlocks  = flag.Uint64("min-blocks", 16, "devnet: wait for this head before printing the URLs")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch {
	case btoi(*stub)+btoi(*dev)+btoi(*fanout)+btoi(*relayTo != "") != 1:
		return errors.New("give one of -stub, -devnet, -fanout and -relay")
	case *relayTo != "":
		return serveRelay(ctx, *listen, *relayTo)
	case *fanout:
		return serveFanout(ctx, *listen, *fanoutSize, *blockTime)
	case *stub:
		c, err := newChain(*chainID, *start, *txPerBlock, *finality, *blockTime, time.Now())
		if err != nil {
			return err
		}
		return serveStub(ctx, c, *listen, *blockTime, stubConfig{peers: *peers})
	default:
		return serveDevnet(ctx, *dataDir, *blockTime, *txPerBlock, *minBlocks)
	}
}

func serveStub(ctx context.Context, c *chain, listen string, blockTime time.Duration, cfg stubConfig) error {
	h, err := newStubHandler(c, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()
	if err := printURLs(urls{RPC: "http://" + addr, WS: "ws://" + addr, Bare: "http://" + addr + "/bare", Head: c.head().number}); err != nil {
		return err
	}
	t := time.NewTicker(blockTime)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			if err := c.produce(now); err != nil {
				return err
			}
		}
	}
}

func serveDevnet(ctx context.Context, dataDir string, blockTime time.Duration, txPerBlock int, minBlocks uint64) error {
	gethlog.SetDefault(gethlog.NewLogger(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if dataDir == "" {
		dir, err := os.MkdirTemp("", "ethfleet-bench-devnet-")
		if err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
		defer os.RemoveAll(dir)
		dataDir = dir
	}
	d := devnet.New(devnet.Config{DataDir: dataDir, Followers: 0, BlockTime: blockTime, TxPerBlock: txPerBlock, NoLogIndex: true})
	if err := d.Start(); err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	defer d.Close()
	p := d.Producer()
	for p.Head() < minBlocks {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := printURLs(urls{RPC: p.HTTPURL(), WS: p.WSURL(), Head: p.Head()}); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

func printURLs(u urls) error {
	b, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode URLs: %w", err)
	}
	_, err = fmt.Printf("%s\n", b)
	return err
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
