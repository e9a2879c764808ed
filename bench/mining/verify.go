package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/ethfleet/ethfleet/bench/benchcmd"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
)

// Verify is the verification figure: light ethash verification of
// distinct epoch-0 shares, one after another on one goroutine.
type Verify struct {
	Shares     int     `json:"shares"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
	// PerSecond is shares per second of wall time, PerCPUSecond per
	// second of this process's CPU time (the same when nothing else ran
	// on its core).
	PerSecond    float64 `json:"per_second"`
	PerCPUSecond float64 `json:"per_cpu_second"`
	MsPerShare   float64 `json:"ms_per_share"`
	CacheSeconds float64 `json:"cache_seconds"`
	GOMAXPROCS   int     `json:"gomaxprocs"`
	CPUs         int     `json:"cpus"` // the CPUs the process may run on
}

// runVerify times n verifications at height 1 (epoch 0), the cache made
// first, and writes the figure to -out.
func runVerify(args []string) error {
	fl := flag.NewFlagSet("verify", flag.ExitOnError)
	n := fl.Int("n", 2000, "shares to verify")
	out := fl.String("out", "", "where to write the result (JSON)")
	fl.Parse(args)
	if *out == "" || *n < 1 {
		return fmt.Errorf("-out and a positive -n are required")
	}
	const height = 1
	v := ethash.NewVerifier(ethash.Ethash())
	var header [32]byte
	t0 := time.Now()
	if _, _, err := v.Verify(height, header, 0); err != nil { // makes the epoch-0 cache
		return err
	}
	cache := time.Since(t0)

	// Distinct shares: a new header every 100 shares, a new nonce each.
	start, cpu0 := time.Now(), selfCPU()
	for i := range *n {
		binary.BigEndian.PutUint64(header[:8], uint64(i/100)+1)
		if _, _, err := v.Verify(height, header, uint64(i)*0x9e3779b97f4a7c15); err != nil {
			return err
		}
	}
	secs, cpu := time.Since(start).Seconds(), (selfCPU() - cpu0).Seconds()
	r := Verify{
		Shares: *n, Seconds: secs, CPUSeconds: cpu,
		PerSecond: float64(*n) / secs, PerCPUSecond: float64(*n) / cpu,
		MsPerShare: secs * 1000 / float64(*n), CacheSeconds: cache.Seconds(),
		GOMAXPROCS: runtime.GOMAXPROCS(0), CPUs: runtime.NumCPU(),
	}
	fmt.Printf("verified %d shares in %.2f s (%.2f s CPU): %.1f shares/s, %.2f ms a share; cache %.2f s; GOMAXPROCS %d on %d CPU(s)\n",
		r.Shares, r.Seconds, r.CPUSeconds, r.PerSecond, r.MsPerShare, r.CacheSeconds, r.GOMAXPROCS, r.CPUs)
	return benchcmd.WriteJSON(*out, r)
}
