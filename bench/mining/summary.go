package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ethfleet/ethfleet/bench/benchcmd"
	"github.com/ethfleet/ethfleet/internal/mining/pool"
)

// The target: a miner's accepted hashrate through the pool, of
// its hashrate mining the node's getWork directly.
const poolShareOfDirect = 0.98

// disturbedCores is how much CPU other processes may use during a round
// before the summary marks it (†).
const disturbedCores = 0.15

// modes are the cases of a round; the pool's come after direct.
var modes = []string{"direct", "getwork", "stratum"}

// runSummary reads a run's raw output and writes summary.md: every figure
// against its target, then each round.
func runSummary(args []string) error {
	fl := flag.NewFlagSet("summary", flag.ExitOnError)
	out := fl.String("out", "", "the run's output directory")
	fl.Parse(args)
	if *out == "" {
		return fmt.Errorf("-out is required")
	}
	var v Verify
	if err := benchcmd.ReadJSON(filepath.Join(*out, "verify.json"), &v); err != nil {
		return err
	}
	paths, err := filepath.Glob(filepath.Join(*out, "round-*.json"))
	if err != nil {
		return err
	}
	var rounds []Round
	for _, p := range paths {
		var r Round
		if err := benchcmd.ReadJSON(p, &r); err != nil {
			return err
		}
		rounds = append(rounds, r)
	}
	if len(rounds) == 0 {
		return fmt.Errorf("%s: no rounds", *out)
	}
	slices.SortFunc(rounds, func(a, b Round) int { return (a.Round*10 + a.Order) - (b.Round*10 + b.Order) })
	f, err := os.Create(filepath.Join(*out, "summary.md"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := io.MultiWriter(os.Stdout, f)
	writeFigures(w, v, rounds)
	writeRounds(w, rounds)
	return nil
}

// byMode groups the rounds by mode.
func byMode(rounds []Round) map[string][]Round {
	m := map[string][]Round{}
	for _, r := range rounds {
		m[r.Mode] = append(m[r.Mode], r)
	}
	return m
}

func mean(rs []Round, f func(Round) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	var s float64
	for _, r := range rs {
		s += f(r)
	}
	return s / float64(len(rs))
}

func accepted(r Round) float64 { return r.AcceptedRate }

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func writeFigures(w io.Writer, v Verify, rounds []Round) {
	m := byMode(rounds)
	direct := mean(m["direct"], accepted)
	fmt.Fprintf(w, "| figure | measured | target | |\n|---|---|---|---|\n")
	fmt.Fprintf(w, "| shares verified per second per core (light ethash, epoch 0, cache warm, one goroutine, GOMAXPROCS=%d on %d CPU) | %.1f shares/s (%.2f ms a share; %.1f per CPU second) | | |\n",
		v.GOMAXPROCS, v.CPUs, v.PerSecond, v.MsPerShare, v.PerCPUSecond)
	fmt.Fprintf(w, "| miner's hashrate mining core-geth's getWork directly (mean of %d rounds) | %.1f H/s (rounds %s)%s | | |\n",
		len(m["direct"]), direct, spread(m["direct"]), dagger(m["direct"]))
	for _, mode := range modes[1:] {
		rs := m[mode]
		if len(rs) == 0 || direct == 0 {
			continue
		}
		acc := mean(rs, accepted)
		ratio := acc / direct
		fmt.Fprintf(w, "| accepted hashrate through the pool (%s) / direct | %.1f%% (%.1f / %.1f H/s); %s%s | ≥ %.0f%% | %s |\n",
			dialect(mode), 100*ratio, acc, direct, pairedInterval(pairedRatios(rounds, mode)), dagger(rs), 100*poolShareOfDirect, verdict(ratio >= poolShareOfDirect))
	}
	for _, mode := range modes[1:] {
		rs := m[mode]
		if len(rs) == 0 {
			continue
		}
		// The rounds are equally long: their estimates' mean is the
		// estimate over all of them, resting on all their shares.
		est := mean(rs, func(r Round) float64 { return poolLine(r).Hashrate })
		var shares float64
		inside := 0
		for _, r := range rs {
			p := poolLine(r)
			shares += float64(p.Shares.Accepted)
			if r.AcceptedRate >= p.Low && r.AcceptedRate <= p.High {
				inside++
			}
		}
		half := 1.96 / math.Sqrt(shares) // Poisson, normal approximation
		fmt.Fprintf(w, "| the pool's verified estimate (%s), of the miner's accepted rate | %.1f%% (%.1f H/s, 95%% interval %.1f–%.1f from %.0f shares; each round's interval held the miner's rate in %d of %d) | | |\n",
			dialect(mode), 100*est/mean(rs, accepted), est, est*(1-half), est*(1+half), shares, inside, len(rs))
	}
	for _, mode := range modes[1:] {
		rs := m[mode]
		if len(rs) == 0 {
			continue
		}
		cores := mean(rs, func(r Round) float64 { return r.CPU.Watched["pool"] })
		machine := float64(rs[0].CPUs)
		perShare := mean(rs, func(r Round) float64 {
			n := float64(r.Accepted + r.Rejected)
			if n == 0 {
				return 0
			}
			return r.CPU.Watched["pool"] * r.Seconds * 1000 / n
		})
		rate := mean(rs, func(r Round) float64 { return float64(r.Accepted+r.Rejected) / r.Seconds })
		fmt.Fprintf(w, "| the pool's process CPU (%s), of the machine's %d cores | %.2f%% (%.4f cores; %.2f shares/s, %.1f ms of CPU a share) | | |\n",
			dialect(mode), rs[0].CPUs, 100*cores/machine, cores, rate, perShare)
	}
	for _, mode := range modes[1:] {
		rs := m[mode]
		if len(rs) == 0 || len(m["direct"]) == 0 {
			continue
		}
		// The CPU the pool took from the miner's cores: its own and the
		// node's extra (the miner's own client work and its threads'
		// waits on submissions are not in it).
		pool := mean(rs, func(r Round) float64 { return r.CPU.Watched["pool"] })
		node := mean(rs, func(r Round) float64 { return r.CPU.Watched["node"] }) - mean(m["direct"], func(r Round) float64 { return r.CPU.Watched["node"] })
		machine := float64(rs[0].CPUs)
		fmt.Fprintf(w, "| the machine's CPU the pool (%s) left to the miner: 1 − (the pool's CPU + the node's change) / %d cores | %.1f%% (pool %.4f, node %+.4f cores) | | |\n",
			dialect(mode), rs[0].CPUs, 100*(1-(pool+node)/machine), pool, node)
	}
	fmt.Fprintln(w)
	if slices.ContainsFunc(rounds, disturbed) {
		fmt.Fprintf(w, "† a round in which other processes used more than %.2f cores.\n\n", disturbedCores)
	}
}

// directRates is each round's direct rate, by round.
func directRates(rounds []Round) map[int]float64 {
	direct := map[int]float64{}
	for _, r := range rounds {
		if r.Mode == "direct" {
			direct[r.Round] = r.AcceptedRate
		}
	}
	return direct
}

// pairedRatios is each round's accepted rate in mode, of the same
// round's direct rate.
func pairedRatios(rounds []Round, mode string) []float64 {
	direct := directRates(rounds)
	var ratios []float64
	for _, r := range rounds {
		if r.Mode == mode && direct[r.Round] > 0 {
			ratios = append(ratios, r.AcceptedRate/direct[r.Round])
		}
	}
	return ratios
}

// pairedInterval describes the rounds' ratios: their mean with its 95%
// interval (Student's t), or the ratios themselves when there are fewer
// than three.
func pairedInterval(ratios []float64) string {
	n := len(ratios)
	if n < 3 {
		var s []string
		for _, x := range ratios {
			s = append(s, fmt.Sprintf("%.1f%%", 100*x))
		}
		return "rounds " + strings.Join(s, ", ")
	}
	var sum, sq float64
	for _, x := range ratios {
		sum += x
	}
	m := sum / float64(n)
	for _, x := range ratios {
		sq += (x - m) * (x - m)
	}
	half := studentT975(n-1) * math.Sqrt(sq/float64(n-1)/float64(n))
	return fmt.Sprintf("paired rounds %.1f%% ± %.1f%% (95%%, n = %d)", 100*m, 100*half, n)
}

// studentT975 is the 97.5% quantile of Student's t with df degrees of
// freedom (a table to 10, then an approximation within 0.01).
func studentT975(df int) float64 {
	table := []float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228}
	if df >= 1 && df <= len(table) {
		return table[df-1]
	}
	return 1.96 + 2.4/float64(df)
}

func dialect(mode string) string {
	if mode == "stratum" {
		return "stratum, EthereumStratum/1.0.0"
	}
	return "getWork over HTTP"
}

// poolLine is the pool's /stats line of the round's worker (zero when
// mining the node directly).
func poolLine(r Round) pool.WorkerStats {
	if r.Pool == nil {
		return pool.WorkerStats{}
	}
	return *r.Pool
}

func disturbed(r Round) bool { return r.CPU.Others > disturbedCores }

func dagger(rs []Round) string {
	if slices.ContainsFunc(rs, disturbed) {
		return " †"
	}
	return ""
}

func writeRounds(w io.Writer, rounds []Round) {
	fmt.Fprintf(w, "| round | case | hash rate | shares found / accepted / rejected | accepted rate | of the round's direct | pool's estimate [95%%] | CPU: miner / pool / node / others (cores) |\n|---|---|---|---|---|---|---|---|\n")
	direct := directRates(rounds)
	for _, r := range rounds {
		of := ""
		if r.Mode != "direct" && direct[r.Round] > 0 {
			of = fmt.Sprintf("%.1f%%", 100*r.AcceptedRate/direct[r.Round])
		}
		est := ""
		if r.Pool != nil {
			est = fmt.Sprintf("%.1f [%.1f, %.1f] at difficulty %d", r.Pool.Hashrate, r.Pool.Low, r.Pool.High, r.Pool.Difficulty)
		}
		mark := ""
		if disturbed(r) {
			mark = " †"
		}
		fmt.Fprintf(w, "| %d.%d | %s | %.1f H/s | %d / %d / %d | %.1f H/s | %s | %s | %.2f / %.3f / %.3f / %.2f%s |\n",
			r.Round, r.Order, r.Mode, r.Rate, r.Found, r.Accepted, r.Rejected, r.AcceptedRate, of, est,
			r.CPU.Self, r.CPU.Watched["pool"], r.CPU.Watched["node"], r.CPU.Others, mark)
	}
}

// spread lists the rounds' rates and how far the extremes lie from their
// mean: the machine's own noise, against which the 2% target is judged.
func spread(rs []Round) string {
	var s []string
	lo, hi := rs[0].Rate, rs[0].Rate
	for _, r := range rs {
		s = append(s, fmt.Sprintf("%.1f", r.Rate))
		lo, hi = min(lo, r.Rate), max(hi, r.Rate)
	}
	m := mean(rs, func(r Round) float64 { return r.Rate })
	return fmt.Sprintf("%s H/s: %+.1f%% to %+.1f%% of their mean", strings.Join(s, ", "), 100*(lo/m-1), 100*(hi/m-1))
}
