package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/fleet"
	"github.com/ethfleet/ethfleet/internal/gateway"
)

// newRegistry returns the registry /metrics exposes: ethfleet's metrics
// and the Go runtime's and process's.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// runFleet starts f, prints a banner and its URLs, prints a status line
// every statusEvery until Ctrl-C, SIGTERM or the command's context ends,
// then stops f.
func runFleet(cmd *cobra.Command, f *fleet.Fleet, statusEvery time.Duration, banner func(io.Writer)) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := f.Start(); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	// The embedded devnet's nodes are fit within seconds: the banner waits
	// for one, so that its URL answers when it is printed. Real nodes may
	// take hours; the status lines tell.
	if f.Devnet() != nil {
		wctx, cancel := context.WithTimeout(ctx, devnetFitWithin)
		err := f.WaitFit(wctx)
		cancel()
		if ctx.Err() != nil {
			fmt.Fprintln(out, "stopping ...")
			return f.Close()
		}
		if err != nil {
			fmt.Fprintf(out, "no node fit after %s: the gateway answers -32002 until one is\n", devnetFitWithin)
		}
	}
	banner(out)
	fmt.Fprintf(out, "  JSON-RPC  %s\n", f.GatewayURL())
	fmt.Fprintf(out, "  dashboard %s/\n", f.OpsURL())
	fmt.Fprintf(out, "  status    %s/status\n", f.OpsURL())
	fmt.Fprintf(out, "  metrics   %s/metrics\n", f.OpsURL())
	printStatus(ctx, out, f, statusEvery)
	fmt.Fprintln(out, "stopping ...")
	return f.Close()
}

// devnetFitWithin is how long `up` waits for a fit node before it prints
// its banner anyway.
const devnetFitWithin = 30 * time.Second

// printStatus prints one status line every interval until ctx ends.
func printStatus(ctx context.Context, out io.Writer, f *fleet.Fleet, every time.Duration) {
	if every <= 0 {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fmt.Fprintln(out, statusLine(f.View()))
		}
	}
}

// statusLine summarises a view: "head 1234 · 3/3 fit · producer 1234 · follower-1 1233 (syncing)".
func statusLine(v gateway.View) string {
	parts := []string{fmt.Sprintf("head %d", v.Head), fmt.Sprintf("%d/%d fit", v.Fit, len(v.Upstreams))}
	for _, u := range v.Upstreams {
		p := fmt.Sprintf("%s %d", u.Name, u.Head.Number)
		if !u.Fit {
			p += " (" + u.Reason + ")"
		}
		parts = append(parts, p)
	}
	return time.Now().Format("15:04:05") + "  " + strings.Join(parts, " · ")
}
