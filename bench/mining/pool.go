package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
	"github.com/ethfleet/ethfleet/internal/mining/pool"
)

// runPool serves a pool in front of -node on free loopback ports, as
// `ethfleet pool` does (pool.New with ethash.NewVerifier, mining.pool's
// defaults, the epoch-0 cache made first), until SIGTERM or SIGINT. It prints "getwork URL" and
// "stratum HOST:PORT" once serving. A process of its own, so that the
// script can read its CPU time.
func runPool(args []string) error {
	fl := flag.NewFlagSet("pool", flag.ExitOnError)
	node := fl.String("node", "", "the node's JSON-RPC URL")
	difficulty := fl.Uint64("share-difficulty", config.DefaultShareDifficulty, "a new worker's share difficulty")
	fl.Parse(args)
	if *node == "" {
		return fmt.Errorf("-node is required")
	}
	// Make the epoch-0 cache now rather than at the first share: the
	// rounds measure a pool whose cache is warm.
	verifier := ethash.NewVerifier(ethash.Ethash())
	if _, _, err := verifier.Verify(1, [32]byte{}, 0); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	p, err := pool.New(pool.Options{
		Config: config.Pool{
			Listen: "127.0.0.1:0", Stratum: "127.0.0.1:0",
			ShareDifficulty: *difficulty, MinShareDifficulty: 1,
			Window: config.DefaultShareWindow, TargetShares: config.DefaultTargetShares,
			MaxSharesPerSecond: config.DefaultMaxSharesPerSecond, PollInterval: config.DefaultWorkPoll,
		},
		Node:     *node,
		Verifier: verifier,
		Logger:   log,
	})
	if err != nil {
		return err
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	if err := p.Start(); err != nil {
		return err
	}
	fmt.Printf("getwork %s\nstratum %s\n", p.HTTPURL(), p.StratumAddr())
	<-stop
	return p.Close()
}
