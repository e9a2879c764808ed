package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/mining/ethash"
	"github.com/ethfleet/ethfleet/internal/mining/pool"
)

func newPoolCmd() *cobra.Command {
	var (
		configFile, logLevel, emfNamespace string
		emfEvery                           time.Duration
		withEMF                            bool
	)
	cmd := &cobra.Command{
		Use:   "pool --config FILE",
		Short: "Serve a proof-of-work node's work to miners and verify their shares",
		Long: `pool takes the work of the node mining.node names (eth_getWork) and serves it
to miners over getWork HTTP on mining.pool.listen (POST /WORKER) and stratum
on mining.pool.stratum (EthProxy/stratum1 and EthereumStratum/1.0.0), at a
per-worker share difficulty. Every share is verified (ethash or etchash);
solutions that meet the network target go to the node. GET /stats on the
getWork listener reports each worker's verified hashrate with its 95%
interval, GET /metrics the ethfleet_mining_* metrics.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			log, cfg, err := loadConfig(cmd, configFile, logLevel)
			if err != nil {
				return err
			}
			m := cfg.Mining
			if m.Node.IsZero() {
				return fmt.Errorf("%s: mining.node is required: the URL of the node whose work the pool serves", configFile)
			}
			alg, err := ethash.ForNetwork(m.Algorithm, cfg.Network.Name)
			if err != nil {
				return fmt.Errorf("%s: mining.algorithm: %w", configFile, err)
			}
			reg := newRegistry()
			p, err := pool.New(pool.Options{
				Config: m.Pool, Node: m.Node.Reveal(), Etherbase: m.Etherbase,
				Verifier: ethash.NewVerifier(alg),
				Logger:   log, Registry: reg, Gatherer: reg,
			})
			if err != nil {
				return fmt.Errorf("%s: %w", configFile, err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := p.Start(); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "ethfleet pool is serving the work of %s (%s)\n", m.Node, m.Algorithm)
			fmt.Fprintf(out, "  getWork   %s/WORKER\n", p.HTTPURL())
			if a := p.StratumAddr(); a != "" {
				fmt.Fprintf(out, "  stratum   stratum+tcp://%s\n", a)
			}
			fmt.Fprintf(out, "  stats     %s/stats\n", p.HTTPURL())
			fmt.Fprintf(out, "  metrics   %s/metrics\n", p.HTTPURL())
			emfDone := make(chan struct{})
			go func() {
				defer close(emfDone)
				if withEMF {
					p.WriteEMF(ctx, out, emfNamespace, emfEvery)
				}
			}()
			<-ctx.Done()
			<-emfDone
			fmt.Fprintln(out, "stopping ...")
			return p.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "fleet description (ethfleet.yaml) with a mining section")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.BoolVar(&withEMF, "emf", false, "also write the metrics to standard output as CloudWatch EMF lines")
	f.StringVar(&emfNamespace, "emf-namespace", "ethfleet/mining", "CloudWatch namespace of the EMF metrics")
	f.DurationVar(&emfEvery, "emf-every", time.Minute, "how often to write EMF lines")
	cmd.MarkFlagRequired("config")
	return cmd
}
