package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/fleet"
)

type upFlags struct {
	configFile   string
	dataDir      string
	fresh        bool
	followers    int
	blockTime    time.Duration
	statusEvery  time.Duration
	logLevel     string
	gethLogLevel string
}

func newUpCmd() *cobra.Command {
	var fl upFlags
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Run an embedded devnet fleet behind one JSON-RPC endpoint",
		Long: `up starts an embedded dev chain (one producer and its followers, real
go-ethereum nodes in this process), watches every node, and serves them
through the gateway on one JSON-RPC endpoint, with the ops server beside it.
It stops cleanly on Ctrl-C or SIGTERM; run it again on the same data
directory and the chain resumes where it stopped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUp(cmd, fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.configFile, "config", "", "fleet description (ethfleet.yaml); its devnet, gateway and ops sections apply")
	f.StringVar(&fl.dataDir, "data-dir", "", "where the devnet keeps its chains (default: the user's cache directory)")
	f.BoolVar(&fl.fresh, "fresh", false, "delete the data directory first and start a new chain")
	f.IntVar(&fl.followers, "followers", config.DefaultFollowers, "number of follower nodes")
	f.DurationVar(&fl.blockTime, "block-time", config.DefaultBlockTime, "time between blocks")
	f.DurationVar(&fl.statusEvery, "status-every", 5*time.Second, "how often to print a status line (0: never)")
	f.StringVar(&fl.logLevel, "log-level", "info", "ethfleet's log level: debug, info, warn, error")
	f.StringVar(&fl.gethLogLevel, "geth-log-level", "error", "log level of the embedded go-ethereum nodes")
	return cmd
}

func runUp(cmd *cobra.Command, fl upFlags) error {
	log, err := newLogger(cmd.ErrOrStderr(), fl.logLevel, fl.gethLogLevel)
	if err != nil {
		return err
	}
	cfg, err := upConfig(cmd, fl)
	if err != nil {
		return err
	}
	f := fleet.New(fleet.Options{Config: cfg, Devnet: true, DataDir: cfg.Devnet.DataDir, Fresh: fl.fresh, Logger: log, Registry: newRegistry()})
	return runFleet(cmd, f, fl.statusEvery, func(out io.Writer) {
		fmt.Fprintf(out, "ethfleet is up: %d nodes on chain %d, data in %s\n", len(f.Devnet().Nodes()), cfg.Network.ChainID, cfg.Devnet.DataDir)
	})
}

// upConfig reads the config file if one is given, then applies the flags
// the user set.
func upConfig(cmd *cobra.Command, fl upFlags) (*config.Config, error) {
	cfg := config.Default()
	if fl.configFile != "" {
		var err error
		if cfg, err = config.Load(fl.configFile); err != nil {
			return nil, err
		}
		if len(cfg.Nodes) > 0 {
			return nil, fmt.Errorf("%s lists nodes: up serves only its embedded devnet", fl.configFile)
		}
	}
	flags := cmd.Flags()
	if flags.Changed("followers") {
		cfg.Devnet.Followers = &fl.followers
	}
	if flags.Changed("block-time") {
		cfg.Devnet.BlockTime = fl.blockTime
	}
	if flags.Changed("data-dir") {
		cfg.Devnet.DataDir = fl.dataDir
	}
	if cfg.Devnet.DataDir == "" {
		cfg.Devnet.DataDir = defaultDataDir()
	}
	if err := cfg.Validate("command line"); err != nil {
		return nil, err
	}
	return cfg, nil
}

func defaultDataDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "ethfleet", "devnet")
}
