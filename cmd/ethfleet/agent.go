package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/agent"
)

func newAgentCmd() *cobra.Command {
	var configFile, logLevel string
	cmd := &cobra.Command{
		Use:   "agent --config FILE",
		Short: "Watch one node and tell load balancers whether it is ready",
		Long: `agent runs next to one node (the fleet description's agent.node) and serves
its health on the ops port: /healthz while the execution client answers,
/ready only while the node is synced (not syncing, head recent by the clock,
within agent.maxLag blocks of the rest of the fleet and of every reference,
enough peers, consensus client synced and not optimistic), /metrics, and
/api/nodes and /api/history for the dashboard.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			log, cfg, err := loadConfig(cmd, configFile, logLevel)
			if err != nil {
				return err
			}
			s, err := agent.NewService(agent.ServiceOptions{Config: cfg, Logger: log, Registry: newRegistry()})
			if err != nil {
				return fmt.Errorf("%s: %w", configFile, err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := s.Start(ctx); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "ethfleet agent is watching %s\n", cfg.Agent.Node)
			fmt.Fprintf(out, "  status    %s/status\n", s.OpsURL())
			fmt.Fprintf(out, "  ready     %s/ready\n", s.OpsURL())
			fmt.Fprintf(out, "  healthz   %s/healthz\n", s.OpsURL())
			fmt.Fprintf(out, "  metrics   %s/metrics\n", s.OpsURL())
			<-ctx.Done()
			fmt.Fprintln(out, "stopping ...")
			return s.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "fleet description (ethfleet.yaml); agent.node names the node to watch")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	cmd.MarkFlagRequired("config")
	return cmd
}
