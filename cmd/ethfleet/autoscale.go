package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/emf"
	"github.com/ethfleet/ethfleet/internal/httpserver"
	"github.com/ethfleet/ethfleet/internal/mining/autoscale"
	"github.com/ethfleet/ethfleet/internal/mining/autoscale/awsasg"
	"github.com/ethfleet/ethfleet/internal/mining/autoscale/awsecs"
	"github.com/ethfleet/ethfleet/internal/mining/autoscale/k8sscale"
	"github.com/ethfleet/ethfleet/internal/mining/autoscale/local"
	"github.com/ethfleet/ethfleet/internal/ops"
)

// autoscaleFlags are the command's flags besides --config.
type autoscaleFlags struct {
	pool, ops, minerCommand, logLevel string
	emf                               bool
}

func newAutoscaleCmd() *cobra.Command {
	var configFile string
	var fl autoscaleFlags
	cmd := &cobra.Command{
		Use:   "autoscale --config FILE",
		Short: "Hold the mining cluster's verified hashrate in the band mining.autoscale sets",
		Long: `autoscale reads the pool's verified hashrate (GET /stats) every
mining.autoscale.interval and sets how many miners run so that it stays
between minHashrate and maxHashrate: local ethfleet mine processes, an AWS
Auto Scaling group, an ECS service or a Kubernetes Deployment. Only an
estimate whose 95% interval lies wholly outside the band, for scaleUpDelay
or scaleDownDelay, moves anything. Every decision is logged and served as
JSON at /decisions on the ops listen, beside /metrics.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			log, cfg, err := loadConfig(cmd, configFile, fl.logLevel)
			if err != nil {
				return err
			}
			if cfg.Mining.Autoscale == nil {
				return fmt.Errorf("%s: mining.autoscale is not set", configFile)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runAutoscale(ctx, cmd, cfg, configFile, fl, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "fleet description (ethfleet.yaml) with a mining.autoscale section")
	f.StringVar(&fl.pool, "pool", "", "URL of the pool's stats (default: http://mining.pool.listen/stats)")
	f.StringVar(&fl.ops, "ops", "", "ops listen address for /decisions, /metrics, /status (default: ops.listen)")
	f.StringVar(&fl.minerCommand, "miner-command", "", `provider local: a miner's command line, split on spaces; "{index}" becomes the miner's number (default: this binary's "mine --config FILE")`)
	f.BoolVar(&fl.emf, "emf", false, "also write the metrics to standard output as CloudWatch EMF lines")
	f.StringVar(&fl.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	cmd.MarkFlagRequired("config")
	return cmd
}

// runAutoscale runs the controller and its ops server until ctx ends.
func runAutoscale(ctx context.Context, cmd *cobra.Command, cfg *config.Config, configFile string, fl autoscaleFlags, log *slog.Logger) error {
	a := cfg.Mining.Autoscale
	poolURL := fl.pool
	if poolURL == "" {
		poolURL = "http://" + dialable(cfg.Mining.Pool.Listen) + "/stats"
	}
	if a.Cooldown < cfg.Mining.Pool.Window {
		log.Warn("autoscale: cooldown is shorter than the pool's window: the estimate after a change still counts the miners before it",
			"cooldown", a.Cooldown, "window", cfg.Mining.Pool.Window)
	}
	provider, closeProvider, err := newMinerProvider(ctx, cmd, cfg, configFile, fl.minerCommand, log)
	if err != nil {
		return err
	}
	defer closeProvider()
	reg := newRegistry()
	opts := autoscale.Options{
		Policy:     autoscale.PolicyFor(a),
		Source:     autoscale.PoolSource{URL: poolURL, Client: &http.Client{Timeout: a.Interval}},
		Provider:   provider,
		Logger:     log.With("part", "autoscale"),
		Registerer: reg,
	}
	if fl.emf {
		opts.EMF = &emf.Writer{Out: cmd.OutOrStdout(), Namespace: "ethfleet", Dimensions: map[string]string{"Provider": a.Provider}}
	}
	c, err := autoscale.New(opts)
	if err != nil {
		return fmt.Errorf("%s: %w", configFile, err)
	}
	opsAddr := fl.ops
	if opsAddr == "" {
		opsAddr = cfg.Ops.Listen
	}
	srv, err := httpserver.Start("ops", opsAddr, autoscaleOps(c, a, poolURL, reg), httpserver.Options{Logger: log, ReadHeaderTimeout: 10 * time.Second})
	if err != nil {
		return err
	}
	opsURL := "http://" + srv.Addr().String()
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "ethfleet autoscale holds %s between %g and %g H/s with %d to %d miners (provider %s)\n",
		poolURL, a.MinHashrate, a.MaxHashrate, a.MinMiners, *a.MaxMiners, a.Provider)
	fmt.Fprintf(out, "  decisions %s/decisions\n", opsURL)
	fmt.Fprintf(out, "  status    %s/status\n", opsURL)
	fmt.Fprintf(out, "  metrics   %s/metrics\n", opsURL)
	c.Run(ctx, a.Interval)
	fmt.Fprintln(out, "stopping ...")
	return errors.Join(srv.Stop(), closeProvider())
}

// autoscaleOps serves /decisions beside the usual ops endpoints: /ready
// once the controller has stepped, /status its policy and last decision.
func autoscaleOps(c *autoscale.Controller, a *config.Autoscale, poolURL string, reg prometheus.Gatherer) http.Handler {
	last := func() (autoscale.Decision, bool) {
		ds := c.Decisions()
		if len(ds) == 0 {
			return autoscale.Decision{}, false
		}
		return ds[len(ds)-1], true
	}
	mux := http.NewServeMux()
	mux.Handle("/", ops.Handler(ops.Config{
		Ready: func() (bool, string) {
			d, ok := last()
			if !ok {
				return false, "no decision yet"
			}
			return true, fmt.Sprintf("%s: %s", d.Action, d.Reason)
		},
		Status: func() any {
			d, _ := last()
			return map[string]any{
				"pool": poolURL, "provider": a.Provider,
				"minHashrate": a.MinHashrate, "maxHashrate": a.MaxHashrate,
				"minMiners": a.MinMiners, "maxMiners": *a.MaxMiners,
				"last": d,
			}
		},
		Gatherer: reg,
	}))
	mux.HandleFunc("GET /decisions", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(c.Decisions())
	})
	return mux
}

// dialable turns a listen address into one to dial: an unspecified host
// (":8008", "0.0.0.0:8008", "[::]:8008") becomes 127.0.0.1.
func dialable(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// newMinerProvider returns the provider mining.autoscale.provider names,
// and a function that releases it (stops local miners; once).
func newMinerProvider(ctx context.Context, cmd *cobra.Command, cfg *config.Config, configFile, minerCommand string, log *slog.Logger) (autoscale.Provider, func() error, error) {
	a := cfg.Mining.Autoscale
	noClose := func() error { return nil }
	switch a.Provider {
	case "local":
		command := strings.Fields(minerCommand)
		if len(command) == 0 {
			abs, err := filepath.Abs(configFile)
			if err != nil {
				return nil, nil, err
			}
			if command, err = local.DefaultCommand(abs); err != nil {
				return nil, nil, err
			}
		}
		p, err := local.New(local.Options{Command: command, Stdout: cmd.ErrOrStderr(), Stderr: cmd.ErrOrStderr(), Logger: log.With("part", "miners")})
		if err != nil {
			return nil, nil, err
		}
		return p, sync.OnceValue(p.Close), nil
	case "aws-asg", "aws-ecs":
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(a.Region))
		if err != nil {
			return nil, nil, fmt.Errorf("aws: %w", err)
		}
		if a.Provider == "aws-asg" {
			return awsasg.New(autoscaling.NewFromConfig(awsCfg), a.AutoScalingGroup, *a.MaxMiners, log), noClose, nil
		}
		return awsecs.New(ecs.NewFromConfig(awsCfg), a.Cluster, a.Service), noClose, nil
	case "k8s":
		api, err := k8sscale.InCluster()
		if err != nil {
			return nil, nil, err
		}
		return k8sscale.New(api, a.Namespace, a.Deployment), noClose, nil
	}
	return nil, nil, fmt.Errorf("mining.autoscale.provider: unknown provider %q", a.Provider)
}
