package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/snapshot/stores"
)

// snapshotFlags are what every snapshot subcommand takes.
type snapshotFlags struct {
	store, network, client string
	parallel               int
}

func (f *snapshotFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.store, "store", "", "snapshot store: file://PATH or s3://BUCKET/PREFIX")
	fl.StringVar(&f.network, "network", "mainnet", "network the data directory belongs to")
	fl.StringVar(&f.client, "client", "geth", "execution client the data directory belongs to")
	fl.IntVar(&f.parallel, "parallel", 4, "chunks in flight at once (memory: about 8 MiB each)")
	cmd.MarkFlagRequired("store")
}

func newSnapshotCmd() *cobra.Command {
	// Interrupted, a command stops as an error would stop it: a create or
	// prune lifts its lock, and a restore keeps what it wrote to resume.
	var stop context.CancelFunc
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Take, restore, list, verify and prune snapshots of a node's data directory",
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			var ctx context.Context
			ctx, stop = signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			cmd.SetContext(ctx)
		},
		PersistentPostRun: func(*cobra.Command, []string) { stop() },
	}
	cmd.AddCommand(newSnapshotCreateCmd(), newSnapshotRestoreCmd(), newSnapshotListCmd(), newSnapshotVerifyCmd(), newSnapshotPruneCmd())
	return cmd
}

func newSnapshotCreateCmd() *cobra.Command {
	var f snapshotFlags
	var dir, version, headHash string
	var headNumber uint64
	cmd := &cobra.Command{
		Use:   "create --store URL --datadir DIR",
		Short: "Snapshot the data directory of a stopped node; only new chunks are uploaded",
		Long: `create snapshots the data directory of a stopped node. A go-ethereum data
directory tells its own head; for another client (--client reth, say) give
the block it stopped at with --head (and --head-hash).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			head := snapshot.Head{Number: headNumber, Hash: headHash}
			switch {
			case cmd.Flags().Changed("head"):
			case f.client != "geth":
				return fmt.Errorf("--head is required for a %s data directory: only go-ethereum's tells its head", f.client)
			default:
				var err error
				if head, err = snapshot.GethHead(dir); err != nil {
					return err
				}
			}
			s, err := stores.Open(cmd.Context(), f.store)
			if err != nil {
				return err
			}
			bar := newBar(cmd.ErrOrStderr(), "reading")
			m, err := snapshot.Create(cmd.Context(), snapshot.CreateOptions{
				Store: s, Dir: dir, Network: f.network, Client: f.client, ClientVersion: version, Head: head,
				Parallel: f.parallel, Progress: bar.update,
			})
			bar.finish()
			if err != nil {
				return err
			}
			t := m.Totals
			fmt.Fprintf(cmd.OutOrStdout(), "snapshot %s: %s %s at block %d, %d files, %s; read %s, uploaded %d new chunks (%s compressed)\n",
				m.ID, m.Network, m.Client, m.Head.Number, t.Files, bytesText(t.Bytes), bytesText(t.Read), t.NewChunks, bytesText(t.Uploaded))
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&dir, "datadir", "", "the node's data directory (the one holding geth/)")
	cmd.Flags().StringVar(&version, "client-version", "", "the client's version, recorded in the manifest")
	cmd.Flags().Uint64Var(&headNumber, "head", 0, "the block the node stopped at (default: read from a go-ethereum data directory)")
	cmd.Flags().StringVar(&headHash, "head-hash", "", "that block's hash, recorded with --head")
	cmd.MarkFlagRequired("datadir")
	return cmd
}

func newSnapshotRestoreCmd() *cobra.Command {
	var f snapshotFlags
	var dir, id string
	var boot bool
	cmd := &cobra.Command{
		Use:   "restore --store URL --datadir DIR",
		Short: "Restore a snapshot (the latest by default) into an empty data directory",
		Long: `restore writes into DIR.restoring beside DIR, checks every chunk against its
hash, syncs every file, and only then renames it to DIR. Interrupted, it
resumes when run again.

With --boot, as a deployed node runs it before its client first starts, a
DIR that already holds data is left alone and a store with no snapshot yet
(the fleet's first node) is not an error: the node syncs from its peers.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := stores.Open(cmd.Context(), f.store)
			if err != nil {
				return err
			}
			if boot {
				if empty, err := snapshot.Empty(dir); err != nil || !empty {
					if err == nil {
						fmt.Fprintf(cmd.OutOrStdout(), "%s holds data: nothing restored\n", dir)
					}
					return err
				}
			}
			bar := newBar(cmd.ErrOrStderr(), "restoring")
			m, err := snapshot.Restore(cmd.Context(), snapshot.RestoreOptions{
				Store: s, Dir: dir, Network: f.network, Client: f.client, ID: id, Parallel: f.parallel, Progress: bar.update,
				Unlocked: func(err error) {
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: restoring without a lock on the snapshot, so a prune may remove it midway: %v\n", err)
				},
			})
			bar.finish()
			if boot && errors.Is(err, snapshot.ErrNoSnapshot) {
				fmt.Fprintf(cmd.OutOrStdout(), "%s has no snapshot of %s %s yet: the node syncs from its peers\n", f.store, f.network, f.client)
				return nil
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored snapshot %s (%s %s at block %d, %s) into %s\n",
				m.ID, m.Network, m.Client, m.Head.Number, bytesText(m.Totals.Bytes), dir)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&dir, "datadir", "", "where to restore: a directory that does not exist or is empty")
	cmd.Flags().StringVar(&id, "id", "", "the snapshot to restore (default: the latest)")
	cmd.Flags().BoolVar(&boot, "boot", false, "first boot of a node: leave a DIR with data alone, and carry on when the store has no snapshot yet")
	cmd.MarkFlagRequired("datadir")
	return cmd
}

func newSnapshotListCmd() *cobra.Command {
	var f snapshotFlags
	cmd := &cobra.Command{
		Use:   "list --store URL",
		Short: "List the snapshots of a network and client, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := stores.Open(cmd.Context(), f.store)
			if err != nil {
				return err
			}
			ms, err := snapshot.List(cmd.Context(), s, f.network, f.client)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tCREATED\tBLOCK\tFILES\tSIZE\tUPLOADED")
			for _, m := range ms {
				fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\n", m.ID, m.Created.Format(time.RFC3339), m.Head.Number, m.Totals.Files, bytesText(m.Totals.Bytes), bytesText(m.Totals.Uploaded))
			}
			return w.Flush()
		},
	}
	f.add(cmd)
	return cmd
}

func newSnapshotVerifyCmd() *cobra.Command {
	var f snapshotFlags
	var id string
	cmd := &cobra.Command{
		Use:   "verify --store URL",
		Short: "Download every chunk of a snapshot and check it against its hash",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := stores.Open(cmd.Context(), f.store)
			if err != nil {
				return err
			}
			bar := newBar(cmd.ErrOrStderr(), "verifying")
			m, err := snapshot.Verify(cmd.Context(), s, f.network, f.client, id, f.parallel, bar.update)
			bar.finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "snapshot %s: every chunk is whole (%d chunks, %s)\n", m.ID, m.Totals.Chunks, bytesText(m.Totals.Bytes))
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&id, "id", "", "the snapshot to verify (default: the latest)")
	return cmd
}

func newSnapshotPruneCmd() *cobra.Command {
	var f snapshotFlags
	var keep int
	cmd := &cobra.Command{
		Use:   "prune --store URL --keep N",
		Short: "Keep the newest N snapshots and delete the chunks no kept snapshot uses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := stores.Open(cmd.Context(), f.store)
			if err != nil {
				return err
			}
			r, err := snapshot.Prune(cmd.Context(), s, f.network, f.client, keep)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "pruned %d snapshots and %d chunks (%s)\n", len(r.Manifests), r.Chunks, bytesText(r.ChunksBytes))
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().IntVar(&keep, "keep", 3, "how many of the newest snapshots to keep")
	return cmd
}

// bar shows a snapshot's progress: bytes, rate and time left.
type bar struct {
	w  io.Writer
	pb *progressbar.ProgressBar
}

func newBar(w io.Writer, what string) *bar {
	return &bar{w: w, pb: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(30),
		// No spinner goroutine: progressbar v3.19.1's reads the bar's state
		// without its lock (a data race with every update).
		progressbar.OptionSetSpinnerChangeInterval(0),
	)}
}

func (b *bar) update(p snapshot.Progress) {
	if b.pb.GetMax64() != p.Total {
		b.pb.ChangeMax64(p.Total)
	}
	b.pb.Set64(p.Done)
}

func (b *bar) finish() {
	b.pb.Finish()
	fmt.Fprintln(b.w)
}

// bytesText writes n in the unit people read sizes in.
func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
