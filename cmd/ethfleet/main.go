// Command ethfleet runs a fleet of Ethereum nodes behind one private
// JSON-RPC endpoint. See the README for what each subcommand does.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "ethfleet:", err)
		var exit *exitError
		if errors.As(err, &exit) {
			os.Exit(exit.code)
		}
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "ethfleet",
		Short:         "Your own Infura: a fleet of Ethereum nodes behind one private JSON-RPC endpoint",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newUpCmd(), newGatewayCmd(), newAgentCmd(), newSnapshotCmd(), newStatusCmd(), newConfigCmd(), newRenderCmd(), newProbeCmd(), newVersionCmd())
	root.AddCommand(newDeployCmd(awsStacks()), newDestroyCmd(awsStacks()), newEBSCmd(defaultEBSHost))
	root.AddCommand(newAutoscaleCmd())
	root.AddCommand(newPoolCmd())
	root.AddCommand(newMineCmd())
	root.AddCommand(newHoldCmd())
	return root
}
