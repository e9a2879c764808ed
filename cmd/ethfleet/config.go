package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with fleet descriptions",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Validate a fleet description without running anything",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(args[0])
			if err != nil {
				return fmt.Errorf("%s is not valid:\n%w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (network %s, %d nodes, %d references)\n",
				args[0], cfg.Network.Name, len(cfg.Nodes), len(cfg.References))
			return nil
		},
	})
	return cmd
}

// loadConfig makes the logger at level (go-ethereum's own at error) and
// loads the fleet description from file.
func loadConfig(cmd *cobra.Command, file, level string) (*slog.Logger, *config.Config, error) {
	log, err := newLogger(cmd.ErrOrStderr(), level, "error")
	if err != nil {
		return nil, nil, err
	}
	cfg, err := config.Load(file)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range cfg.Nodes {
		if n.RPC.IsZero() {
			return nil, nil, fmt.Errorf("%s: node %s is deployed (it names its execution client), so its address is known only where it runs: run from the description `ethfleet render` wrote for the target", file, n.Name)
		}
	}
	return log, cfg, nil
}
