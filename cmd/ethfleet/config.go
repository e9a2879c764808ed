package main

import (
	"fmt"

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
