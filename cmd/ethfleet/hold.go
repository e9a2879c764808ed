package main

import (
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/hold"
)

// newHoldCmd starts a client that the agent in another container of its
// pod can hold back for a snapshot (the Kubernetes snapshotter's execution
// container runs it; see internal/hold).
func newHoldCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hold",
		Short: "Start a client that the node's agent can stop and hold back for a snapshot (Kubernetes)",
	}
	var dir string
	run := &cobra.Command{
		Use:   "run --dir DIR -- COMMAND [ARGS...]",
		Short: "Record this process in DIR, wait while DIR/held exists, then become COMMAND",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return hold.Run(dir, args, slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)))
		},
	}
	run.Flags().StringVar(&dir, "dir", "", "the directory shared with the agent")
	run.Flags().SetInterspersed(false) // the client's flags are its own
	run.MarkFlagRequired("dir")
	install := &cobra.Command{
		Use:   "install PATH",
		Short: "Copy this ethfleet binary to PATH, for a client's container to run `hold run` from",
		Args:  cobra.ExactArgs(1),
		RunE:  func(_ *cobra.Command, args []string) error { return hold.Install(args[0]) },
	}
	cmd.AddCommand(run, install)
	return cmd
}
