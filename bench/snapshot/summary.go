package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ethfleet/ethfleet/bench/benchcmd"
)

// The targets.
const (
	restoreShareOfTar   = 0.80 // restore throughput, of zstd -d | tar x
	incrementalShare    = 0.05 // second snapshot's upload, of the first's
	serveShareOfSync    = 0.10 // restore + catch-up, of a full sync
	mainnetBytes        = 1.2 * (1 << 40)
	gbit                = 1e9 / 8 // bytes per second
	mainnetBlocksPerDay = 7200
)

// runSummary reads a run's raw output and prints the figures, each target
// with PASS or FAIL, and the mainnet model.
func runSummary(args []string) error {
	fl := flag.NewFlagSet("summary", flag.ExitOnError)
	out := fl.String("out", "", "the run's output directory")
	fl.Parse(args)
	if *out == "" {
		return fmt.Errorf("-out is required")
	}
	r, err := loadRun(*out)
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(*out, "summary.txt"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := io.MultiWriter(os.Stdout, f)
	r.printSteps(w)
	r.printTargets(w)
	r.printSnapshots(w)
	r.printMainnet(w)
	return nil
}

// run is one run's raw output.
type run struct {
	gen, grow         Chain
	snap1, snap2      Snap
	genesis, restored []Serve
	times, sizes      map[string][]float64
	cache             string
	data              float64 // bytes in the timed data dir
}

func loadRun(out string) (*run, error) {
	var r run
	for name, v := range map[string]any{"chain.json": &r.gen, "grow.json": &r.grow, "snap1.json": &r.snap1, "snap2.json": &r.snap2} {
		if err := benchcmd.ReadJSON(filepath.Join(out, name), v); err != nil {
			return nil, err
		}
	}
	var err error
	if r.genesis, err = readServes(out, "genesis"); err != nil {
		return nil, err
	}
	if r.restored, err = readServes(out, "restore"); err != nil {
		return nil, err
	}
	if r.times, err = readTSV(filepath.Join(out, "times.tsv")); err != nil {
		return nil, err
	}
	if r.sizes, err = readTSV(filepath.Join(out, "sizes.tsv")); err != nil {
		return nil, err
	}
	cache, _ := os.ReadFile(filepath.Join(out, "cache.txt"))
	r.cache = strings.TrimSpace(string(cache))
	r.data = r.sizes["data"][0]
	return &r, nil
}

// rate is a step's median throughput in bytes per second.
func (r *run) rate(step string) float64 { return r.data / median(r.times[step]) }

func (r *run) printSteps(w io.Writer) {
	gen, grow := r.gen, r.grow
	fmt.Fprintf(w, "chain: %d blocks of %d transactions sealed in %.0fs; data dir at block %d: %s\n",
		gen.Blocks, gen.TxPerBlk, gen.Seconds, gen.Head, gen.Dir)
	fmt.Fprintf(w, "then %d more blocks; data dir at block %d (the one timed below): %s\n", grow.Blocks, grow.Head, grow.Dir)
	fmt.Fprintf(w, "timed runs: %s; median of %d runs each\n\n", r.cache, len(r.times["create-ethfleet"]))

	fmt.Fprintf(w, "%-34s %9s %10s %12s\n", "step", "median s", "MiB/s", "stored MiB")
	for _, step := range []string{"create-tar", "create-tar+sync", "create-ethfleet", "create-restic", "restore-tar", "restore-tar+sync", "restore-ethfleet", "restore-restic"} {
		if len(r.times[step]) == 0 {
			continue
		}
		stored := ""
		if s, ok := r.sizes[strings.TrimSuffix(strings.TrimPrefix(step, "create-"), "+sync")]; ok && strings.HasPrefix(step, "create-") {
			stored = fmt.Sprintf("%.1f", mib(int64(s[0])))
		}
		fmt.Fprintf(w, "%-34s %9.2f %10.1f %12s   (runs: %s)\n", step, median(r.times[step]), r.rate(step)/(1<<20), stored, list(r.times[step]))
	}
	fmt.Fprintln(w)
}

func (r *run) printTargets(w io.Writer) {
	type target struct {
		what       string
		got, limit float64
		pass       bool
	}
	createVsRestic := r.rate("create-ethfleet") / r.rate("create-restic")
	restoreVsTar := r.rate("restore-ethfleet") / r.rate("restore-tar")
	incr := float64(r.snap2.Totals.Uploaded) / float64(r.snap1.Totals.Uploaded)
	serve := medianTotal(r.restored) / medianTotal(r.genesis)
	targets := []target{
		{"create throughput, of restic's", createVsRestic, 1, createVsRestic >= 1},
		{"restore throughput, of zstd -d | tar x", restoreVsTar, restoreShareOfTar, restoreVsTar >= restoreShareOfTar},
		{"second snapshot's upload, of the first", incr, incrementalShare, incr <= incrementalShare},
		{"restore + catch-up, of full sync", serve, serveShareOfSync, serve <= serveShareOfSync},
	}
	fmt.Fprintf(w, "%-42s %8s %8s  %s\n", "target", "measured", "limit", "")
	for _, t := range targets {
		verdict := "FAIL"
		if t.pass {
			verdict = "PASS"
		}
		op := ">="
		if strings.Contains(t.what, "upload") || strings.Contains(t.what, "catch-up") {
			op = "<="
		}
		fmt.Fprintf(w, "%-42s %7.1f%% %s%5.0f%%  %s\n", t.what, 100*t.got, op, 100*t.limit, verdict)
	}
	fmt.Fprintf(w, "(also: restore of zstd -d | tar x followed by sync: %.0f%%)\n\n", 100*r.rate("restore-ethfleet")/r.rate("restore-tar+sync"))
}

func (r *run) printSnapshots(w io.Writer) {
	snap1, snap2 := r.snap1, r.snap2
	fmt.Fprintf(w, "first snapshot at block %d: %.1f MiB read, %d chunks, %.1f MiB uploaded (%.0f%% of raw) in %.1fs\n",
		snap1.Head, mib(snap1.Totals.Read), snap1.Totals.NewChunks, mib(snap1.Totals.Uploaded), 100*float64(snap1.Totals.Uploaded)/float64(snap1.Totals.Bytes), snap1.Seconds)
	fmt.Fprintf(w, "second at block %d (+%d blocks, data dir %+.1f MiB): %.1f MiB read, %d new chunks, %.1f MiB uploaded in %.1fs\n",
		snap2.Head, snap2.Head-snap1.Head, mib(snap2.Totals.Bytes-snap1.Totals.Bytes), mib(snap2.Totals.Read), snap2.Totals.NewChunks, mib(snap2.Totals.Uploaded), snap2.Seconds)
	kinds := make([]string, 0, len(snap2.New))
	for k := range snap2.New {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		n := snap2.New[k]
		fmt.Fprintf(w, "  new chunks of %-11s %3d files %4d chunks %8.1f MiB raw %8.1f MiB stored\n", k, n.Files, n.Chunks, mib(n.Raw), mib(n.Stored))
	}
	for _, s := range append(r.genesis, r.restored...) {
		fmt.Fprintf(w, "new follower, %-8s from block %5d to %d (%.10s): restore %6.1fs, open %5.1fs, catch-up %6.1fs, total %6.1fs\n",
			s.Mode, s.FromBlock, s.Target, s.TargetHash, s.Restore, s.Open, s.CatchUp, s.Total)
		if s.TargetHash != r.genesis[0].TargetHash {
			fmt.Fprintln(w, "WARNING: the followers' targets differ")
		}
	}
}

func (r *run) printMainnet(w io.Writer) {
	gen, snap1, snap2 := r.gen, r.snap1, r.snap2
	fmt.Fprintf(w, "\nmainnet model: a geth full node of %.1f TiB\n", mainnetBytes/(1<<40))
	packed := float64(snap1.Totals.Uploaded) / float64(snap1.Totals.Bytes)
	for _, step := range []string{"create-ethfleet", "restore-ethfleet", "create-restic", "restore-restic", "create-tar", "restore-tar"} {
		fmt.Fprintf(w, "  %-17s at the measured %6.1f MiB/s: %5.1f h\n", step, r.rate(step)/(1<<20), mainnetBytes/r.rate(step)/3600)
	}
	for _, bw := range []float64{1, 10} {
		move := mainnetBytes * packed / (bw * gbit)
		fmt.Fprintf(w, "  store at %2.0f Gbit/s: %.2f TiB compressed (%.0f%%) moves in %.1f h; create %.1f h, restore %.1f h (the slower of moving and the measured rate)\n",
			bw, mainnetBytes*packed/(1<<40), 100*packed, move/3600,
			max(move, mainnetBytes/r.rate("create-ethfleet"))/3600, max(move, mainnetBytes/r.rate("restore-ethfleet"))/3600)
	}
	// The chain's growth over the added blocks, at the average growth per
	// block of the whole chain (pebble's tables and the freezer).
	perBlock := float64(gen.Dir.SSTBytes+gen.Dir.FreezerBytes) / float64(gen.Head)
	growth := perBlock * float64(snap2.Head-snap1.Head)
	// Pebble's WAL and the trie journal are rewritten at every stop, by
	// as much as geth's caches hold rather than by what the chain grew.
	fixed := snap2.New["pebble-log"].Stored + snap2.New["triedb/"].Stored
	k := float64(snap2.Totals.Uploaded-fixed) / growth
	fmt.Fprintf(w, "  daily incremental: the second snapshot uploaded %.1f MiB for %d blocks that grew the chain by about %.1f MiB (%.1f KiB a block):\n",
		mib(snap2.Totals.Uploaded), snap2.Head-snap1.Head, growth/(1<<20), perBlock/1024)
	fmt.Fprintf(w, "    F = %.1f MiB rewritten at every stop (pebble's WAL, the trie journal), and k = %.1f times the growth (tables, freezer)\n", mib(fixed), k)
	for _, x := range []float64{1, 2, 4} {
		fmt.Fprintf(w, "    if %d blocks a day grow the chain by X = %.0f GiB: F + k × X = %.0f GiB a day (%.1f%% of a first snapshot)\n",
			mainnetBlocksPerDay, x, k*x+float64(fixed)/(1<<30), 100*(k*x*(1<<30)+float64(fixed))/(mainnetBytes*packed))
	}
}

// readTSV reads "name<TAB>number" lines into numbers by name.
func readTSV(path string) (map[string][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", path, sc.Text(), err)
		}
		out[fields[0]] = append(out[fields[0]], v)
	}
	return out, sc.Err()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func list(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(parts, " ")
}

// readServes reads the serve runs of one mode, serve-MODE-N.json.
func readServes(out, mode string) ([]Serve, error) {
	paths, err := filepath.Glob(filepath.Join(out, "serve-"+mode+"-*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no serve-%s-*.json in %s", mode, out)
	}
	var runs []Serve
	for _, p := range paths {
		var s Serve
		if err := benchcmd.ReadJSON(p, &s); err != nil {
			return nil, err
		}
		runs = append(runs, s)
	}
	return runs, nil
}

func medianTotal(runs []Serve) float64 {
	var v []float64
	for _, s := range runs {
		v = append(v, s.Total)
	}
	return median(v)
}
