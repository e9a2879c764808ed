package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/fleet"
	"github.com/ethfleet/ethfleet/internal/gcfloor"
)

func newGatewayCmd() *cobra.Command {
	var (
		configFile  string
		statusEvery time.Duration
		logLevel    string
	)
	cmd := &cobra.Command{
		Use:   "gateway --config FILE",
		Short: "Serve the nodes a fleet description lists through one JSON-RPC endpoint",
		Long: `gateway watches every node in the fleet description's nodes section and
serves them through one JSON-RPC endpoint, with the ops server beside it.
It never answers from a node that is unreachable, on another chain,
syncing, or behind the rest of the fleet.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			log, cfg, err := loadConfig(cmd, configFile, logLevel)
			if err != nil {
				return err
			}
			if len(cfg.Nodes) == 0 {
				return fmt.Errorf("%s lists no nodes: the gateway serves the nodes section (ethfleet up runs an embedded devnet instead)", configFile)
			}
			stop, why := gcfloor.Keep(uint64(*cfg.Gateway.HeapFloor))
			defer stop()
			if why != "" {
				log.Info("garbage collector left at its own pace", "why", why)
			}
			f := fleet.New(fleet.Options{Config: cfg, Logger: log, Registry: newRegistry()})
			return runFleet(cmd, f, statusEvery, func(out io.Writer) {
				fmt.Fprintf(out, "ethfleet gateway is up: %d nodes on %s\n", len(cfg.Nodes), cfg.Network.Name)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "fleet description (ethfleet.yaml) listing the nodes to serve")
	f.DurationVar(&statusEvery, "status-every", 5*time.Second, "how often to print a status line (0: never)")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	cmd.MarkFlagRequired("config")
	return cmd
}
