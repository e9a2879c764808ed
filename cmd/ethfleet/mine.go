package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
	"github.com/ethfleet/ethfleet/internal/mining/miner"
)

type mineFlags struct {
	config, pool, worker, logLevel string
	threads                        int
	light                          bool
	statusEvery                    time.Duration
}

// newMineCmd is `ethfleet mine`: the CPU miner of mining.miner.
func newMineCmd() *cobra.Command {
	var fl mineFlags
	cmd := &cobra.Command{
		Use:   "mine --config FILE",
		Short: "Mine at a pool with the CPU (ethash/etchash test networks), printing the hashrate and shares",
		Long: `Mine at the pool of mining.miner.pool (getWork at http://HOST:PORT, which
adds /WORKER to the path, EthereumStratum/1.0.0 at stratum+tcp://HOST:PORT,
EthProxy at stratum1+tcp://HOST:PORT) with mining.algorithm's proof of work.
A status line every 10s shows the measured hashrate and the shares the pool
accepted and rejected; Ctrl-C stops.

With mining.miner.dagDir set (and without --light) it hashes from the full
DAG in that directory, which the miners of a host or a shared file system
share: the first miner to need an epoch generates it (minutes), the others
wait for it and map the same file, and all hash in light mode until it is
ready. Light mode hashes from the 16 MiB verification cache (a few ms a
hash): with a small share difficulty it still finds shares.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runMine(cmd, fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.config, "config", "", "fleet description with a mining section (required)")
	f.StringVar(&fl.pool, "pool", "", "pool URL (default: mining.miner.pool)")
	f.StringVar(&fl.worker, "worker", "", "worker name (default: mining.miner.worker, else the host name)")
	f.IntVar(&fl.threads, "threads", 0, "hashing threads (default: mining.miner.threads, else the number of CPUs)")
	f.BoolVar(&fl.light, "light", false, "hash from the verification cache, without a DAG")
	f.StringVar(&fl.logLevel, "log-level", "info", "debug, info, warn or error")
	f.DurationVar(&fl.statusEvery, "status-every", 10*time.Second, "how often to print the status line")
	_ = cmd.MarkFlagRequired("config")
	return cmd
}

func runMine(cmd *cobra.Command, fl mineFlags) error {
	log, err := newLogger(cmd.ErrOrStderr(), fl.logLevel, "error")
	if err != nil {
		return err
	}
	cfg, err := config.Load(fl.config)
	if err != nil {
		return err
	}
	m, err := newMiner(cfg, fl, log)
	if err != nil {
		return err
	}
	if c, ok := m.Hasher.(io.Closer); ok {
		defer c.Close()
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "mining %s at %s as %s\n", cfg.Mining.Algorithm, m.Pool, m.Worker)
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	printMineStatus(ctx, out, m, fl.statusEvery)
	err = <-done
	fmt.Fprintln(out, "stopping ...")
	return err
}

// newMiner makes the miner from mining.miner, the flags overriding it.
func newMiner(cfg *config.Config, fl mineFlags, log *slog.Logger) (*miner.Miner, error) {
	mc := cfg.Mining.Miner
	m := &miner.Miner{Pool: cmp.Or(fl.pool, mc.Pool), Worker: cmp.Or(fl.worker, mc.Worker), Threads: mc.Threads, Logger: log}
	if fl.threads > 0 {
		m.Threads = fl.threads
	}
	if m.Pool == "" {
		return nil, fmt.Errorf("%s: no pool to mine at: set mining.miner.pool or --pool", fl.config)
	}
	if m.Worker == "" {
		host, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("worker name: %w (set --worker)", err)
		}
		m.Worker = host
	}
	alg, err := ethash.ForNetwork(cfg.Mining.Algorithm, cfg.Network.Name)
	if err != nil {
		return nil, fmt.Errorf("%s: mining.algorithm: %w", fl.config, err)
	}
	if fl.light || mc.DAGDir == "" {
		m.Hasher = miner.NewLight(alg)
	} else {
		m.Hasher = miner.NewFull(mc.DAGDir, alg, log.Info)
	}
	return m, nil
}

// printMineStatus prints the hashrate and share counts every interval
// until ctx ends.
func printMineStatus(ctx context.Context, out io.Writer, m *miner.Miner, every time.Duration) {
	m.Every(ctx, every, func(now miner.Stats, rate float64) {
		fmt.Fprintf(out, "%s  hashrate %.1f H/s  shares %d accepted, %d rejected (%d found)  jobs %d\n",
			now.At.Format(time.TimeOnly), rate, now.Accepted, now.Rejected, now.Found, now.Jobs)
	})
}
