package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/ethfleet/ethfleet/bench/benchcmd"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
	"github.com/ethfleet/ethfleet/internal/mining/miner"
	"github.com/ethfleet/ethfleet/internal/mining/pool"
)

// Round is one measured round of the miner against a node or a pool.
type Round struct {
	Mode    string `json:"mode"` // direct, getwork or stratum
	Round   int    `json:"round"`
	Order   int    `json:"order"` // its place in the round, from 1
	URL     string `json:"url"`
	Worker  string `json:"worker"`
	Threads int    `json:"threads"`
	CPUs    int    `json:"cpus"` // the machine's
	// ShareDifficulty is the pool's for new workers (0: direct).
	ShareDifficulty uint64  `json:"share_difficulty,omitempty"`
	Warmup          float64 `json:"warmup_seconds"`
	// QuietWait is how long the round waited for the machine to be
	// quiet, and Busy its CPU use (cores) in the last second of that.
	QuietWait float64 `json:"quiet_wait_seconds"`
	Busy      float64 `json:"busy_before"`
	// FirstJob is the seconds from the measured miner's start to its
	// first job; the measured Seconds begin there.
	FirstJob float64 `json:"first_job_seconds"`
	Seconds  float64 `json:"seconds"`
	// The miner's counters over the measured seconds.
	Hashes   uint64  `json:"hashes"`
	Rate     float64 `json:"rate"` // H/s
	Jobs     uint64  `json:"jobs"`
	Found    uint64  `json:"found"`
	Accepted uint64  `json:"accepted"`
	Rejected uint64  `json:"rejected"`
	// AcceptedRate is Rate × Accepted / (Accepted + Rejected), or Rate
	// when mining a node directly (every hash is work it would accept).
	AcceptedRate float64 `json:"accepted_rate"`
	// Pool is the pool's /stats line for the worker at the end.
	Pool *pool.WorkerStats `json:"pool,omitempty"`
	CPU  CPUUse            `json:"cpu"`
}

// runMine makes the hasher's epoch-0 cache, mines -url for -warmup
// seconds as WORKER-warmup, then for -d seconds as WORKER with the same
// hasher, and writes the second miner's round to -out.
func runMine(args []string) error {
	fl := flag.NewFlagSet("mine", flag.ExitOnError)
	var r Round
	fl.StringVar(&r.Mode, "mode", "", "direct, getwork or stratum")
	fl.IntVar(&r.Round, "round", 1, "the round's number")
	fl.IntVar(&r.Order, "order", 1, "the case's place in its round")
	fl.StringVar(&r.URL, "url", "", "the node's getWork URL (http://HOST:PORT/) or the pool's (http://HOST:PORT, stratum+tcp://HOST:PORT)")
	fl.StringVar(&r.Worker, "worker", "bench", "worker name")
	fl.IntVar(&r.Threads, "threads", 2, "miner threads")
	fl.Uint64Var(&r.ShareDifficulty, "share-difficulty", 0, "the pool's share difficulty, recorded")
	warmup := fl.Duration("warmup", 3*time.Second, "warm-up, not measured")
	d := fl.Duration("d", 20*time.Second, "measured duration")
	stats := fl.String("stats", "", "the pool's /stats URL, read at the end")
	poolPID := fl.Int("pool-pid", 0, "the pool's pid, whose CPU time is measured")
	nodePID := fl.Int("node-pid", 0, "the node's pid, whose CPU time is measured")
	quiet := fl.Float64("quiet", 0.1, "before the warm-up, wait up to 30 s until the machine uses at most this many cores")
	out := fl.String("out", "", "where to write the round (JSON)")
	fl.Parse(args)
	if r.URL == "" || *out == "" {
		return fmt.Errorf("-url and -out are required")
	}
	pids := map[string]int{}
	if *nodePID > 0 {
		pids["node"] = *nodePID
	}
	if *poolPID > 0 {
		pids["pool"] = *poolPID
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	hasher := miner.NewLight(ethash.Ethash())
	hasher.Hash(1, [32]byte{}, 0) // makes the epoch-0 cache before the warm-up

	t0 := time.Now()
	r.Busy = awaitQuiet(*quiet, 30*time.Second)
	r.QuietWait = time.Since(t0).Seconds()
	r.Warmup = warmup.Seconds()
	warm := &miner.Miner{Pool: r.URL, Worker: r.Worker + "-warmup", Threads: r.Threads, Hasher: hasher, Logger: log}
	if err := mineFor(warm, *warmup, nil); err != nil {
		return err
	}

	m := &miner.Miner{Pool: r.URL, Worker: r.Worker, Threads: r.Threads, Hasher: hasher, Logger: log}
	var start, end miner.Stats
	var cpu0, cpu1 cpuSample
	var sampleErr error
	err := mineFor(m, *d, func(ctx context.Context) {
		// The clock starts with the first job, so that connecting and
		// logging in (timed apart) are not counted as hashing time.
		begun := time.Now()
		for m.Stats().Jobs == 0 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		r.FirstJob = time.Since(begun).Seconds()
		start = m.Stats()
		cpu0, sampleErr = sampleCPU(pids)
		select {
		case <-ctx.Done():
		case <-time.After(*d):
		}
		end = m.Stats()
		if sampleErr == nil {
			cpu1, sampleErr = sampleCPU(pids)
		}
	})
	if err != nil {
		return err
	}
	if sampleErr != nil {
		return sampleErr
	}
	r.CPU = cpuBetween(cpu0, cpu1)
	if err := r.measured(start, end, *stats); err != nil {
		return err
	}
	r.print()
	return benchcmd.WriteJSON(*out, r)
}

// measured fills in the round's figures from the miner's counters at its
// start and end and, through the pool, the pool's view from statsURL.
func (r *Round) measured(start, end miner.Stats, statsURL string) error {
	r.CPUs = runtime.NumCPU()
	r.Seconds = end.At.Sub(start.At).Seconds()
	r.Hashes, r.Jobs = end.Hashes-start.Hashes, end.Jobs
	r.Found, r.Accepted, r.Rejected = end.Found-start.Found, end.Accepted-start.Accepted, end.Rejected-start.Rejected
	r.Rate = end.Rate(start)
	r.AcceptedRate = r.Rate
	if r.Mode == "direct" {
		return nil
	}
	r.AcceptedRate = 0
	if n := r.Accepted + r.Rejected; n > 0 {
		r.AcceptedRate = r.Rate * float64(r.Accepted) / float64(n)
	}
	if statsURL != "" {
		ws, err := workerStats(statsURL, r.Worker)
		if err != nil {
			return err
		}
		r.Pool = ws
	}
	return nil
}

// print writes the round's line to standard output.
func (r *Round) print() {
	fmt.Printf("%s round %d: first job after %.3f s; %.1f H/s over %.1f s, %d shares found, %d accepted, %d rejected; accepted %.1f H/s",
		r.Mode, r.Round, r.FirstJob, r.Rate, r.Seconds, r.Found, r.Accepted, r.Rejected, r.AcceptedRate)
	if r.Pool != nil {
		fmt.Printf("; pool's estimate %.1f H/s [%.1f, %.1f]", r.Pool.Hashrate, r.Pool.Low, r.Pool.High)
	}
	fmt.Printf("; CPU %.2f cores, pool %.3f, node %.3f, others %.2f, steal %.2f\n", r.CPU.Self, r.CPU.Watched["pool"], r.CPU.Watched["node"], r.CPU.Others, r.CPU.Steal)
}

// mineFor runs m for d, or, when during is given, until during returns
// (it gets a context that ends after 2·d, a bound on a stuck miner).
func mineFor(m *miner.Miner, d time.Duration, during func(ctx context.Context)) error {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	if during == nil {
		time.Sleep(d)
	} else {
		bound, stop := context.WithTimeout(ctx, 2*d)
		during(bound)
		stop()
	}
	cancel()
	if err := <-done; err != nil {
		return err
	}
	return nil
}

// workerStats reads the pool's GET /stats and returns the worker's line.
func workerStats(url, worker string) (*pool.WorkerStats, error) {
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("pool stats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("pool stats: %s", resp.Status)
	}
	var s pool.Stats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return nil, fmt.Errorf("pool stats: %w", err)
	}
	for _, w := range s.Workers {
		if w.Name == worker {
			return &w, nil
		}
	}
	return nil, fmt.Errorf("pool stats: no worker %q", worker)
}
