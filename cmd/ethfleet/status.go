package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/agent"
)

// Exit statuses of `ethfleet status`, for scripts.
const (
	exitNotReady    = 1 // some node is not ready
	exitUnreachable = 2 // the ops server could not be asked
)

// exitError ends ethfleet with its code rather than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func newStatusCmd() *cobra.Command {
	var opsURL string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print every node's readiness and lag, as a running fleet's ops server reports them",
		Long: `status asks a running ethfleet's ops server (/api/nodes) how each node is
doing and prints one line per node: client, head, blocks behind the fleet's
head and behind each reference, peers, when its readiness last changed, and
whether it is ready or why not.

Exit status: 0 when every node is ready, 1 when some node is not, 2 when
the ops server cannot be reached or gives no usable answer.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			reports, err := fetchReports(ctx, strings.TrimRight(opsURL, "/"))
			if err != nil {
				return &exitError{exitUnreachable, err}
			}
			if notReady := writeStatus(cmd.OutOrStdout(), reports, time.Now()); notReady > 0 || len(reports) == 0 {
				return &exitError{exitNotReady, fmt.Errorf("%d of %d nodes not ready", notReady, len(reports))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opsURL, "ops", "http://127.0.0.1:6060", "base URL of the ops server")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the ops server")
	return cmd
}

// fetchReports reads every node's report from the ops server at base.
func fetchReports(ctx context.Context, base string) ([]agent.Report, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/nodes", nil)
	if err != nil {
		return nil, fmt.Errorf("ops server %s: %w", base, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the ops server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ops server %s: GET /api/nodes: %s", base, resp.Status)
	}
	var reports []agent.Report
	if err := json.NewDecoder(resp.Body).Decode(&reports); err != nil {
		return nil, fmt.Errorf("ops server %s: /api/nodes: %w", base, err)
	}
	return reports, nil
}

// writeStatus prints reports as a table, one node a line, and returns how
// many nodes are not ready. now is the time CHANGED counts back from.
func writeStatus(w io.Writer, reports []agent.Report, now time.Time) (notReady int) {
	var refs []string
	for _, r := range reports {
		for _, l := range r.Lags {
			if !slices.Contains(refs, l.Reference) {
				refs = append(refs, l.Reference)
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{"NODE", "CLIENT", "HEAD", "LAG fleet"}
	for _, ref := range refs {
		header = append(header, "LAG "+ref)
	}
	fmt.Fprintln(tw, strings.Join(append(header, "PEERS", "CHANGED", "READY"), "\t"))
	for _, r := range reports {
		row := []string{r.Name, shortClient(r.Client), fmt.Sprint(r.Head), fmt.Sprint(r.FleetLag)}
		for _, ref := range refs {
			row = append(row, refLag(r.Lags, ref))
		}
		changed := "-"
		if r.Since > 0 {
			changed = ago(now.Sub(time.UnixMilli(r.Since))) + " ago"
		}
		ready := "yes"
		if !r.Ready {
			notReady++
			ready = "no"
			if len(r.Reasons) > 0 {
				ready += ": " + strings.Join(r.Reasons, "; ")
			}
		}
		fmt.Fprintln(tw, strings.Join(append(row, fmt.Sprint(r.Peers), changed, ready), "\t"))
	}
	tw.Flush()
	return notReady
}

// refLag is a node's lag behind one reference: blocks, "down" when the
// reference did not answer, "-" when it was not measured.
func refLag(lags []agent.Lag, ref string) string {
	for _, l := range lags {
		if l.Reference == ref {
			if !l.Reachable {
				return "down"
			}
			return fmt.Sprint(l.Blocks)
		}
	}
	return "-"
}

// shortClient turns "Geth/node-1/v1.17.8-stable-1a2b3c4d/linux-amd64/go1.26"
// into "Geth/v1.17.8".
func shortClient(v string) string {
	if v == "" {
		return "-"
	}
	parts := strings.Split(v, "/")
	for _, p := range parts[1:] {
		if len(p) > 1 && p[0] == 'v' && p[1] >= '0' && p[1] <= '9' {
			version, _, _ := strings.Cut(strings.ReplaceAll(p, "+", "-"), "-")
			return parts[0] + "/" + version
		}
	}
	return parts[0]
}

// ago prints a duration the way people read one: 42s, 3m07s, 5h02m, 3d04h.
func ago(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 0:
		return "0s"
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 48*3600:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	default:
		return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
	}
}
