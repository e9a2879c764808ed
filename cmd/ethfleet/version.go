package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ethfleet's version and the go-ethereum it embeds",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			geth := "unknown"
			if info, ok := debug.ReadBuildInfo(); ok {
				for _, dep := range info.Deps {
					if dep.Path == "github.com/ethereum/go-ethereum" {
						geth = dep.Version
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ethfleet %s (go-ethereum %s)\n", version, geth)
		},
	}
}
