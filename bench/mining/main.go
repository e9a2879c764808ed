// Command mining is the Go half of bench/mining/run (issue 7's mining
// benchmark): it times light share verification on one core, serves a
// pool in a process of its own, runs the CPU miner for a measured round
// against a node or a pool, and writes the summary. Run it through the
// script, which starts core-geth and lays out the rounds.
package main

import "github.com/ethfleet/ethfleet/bench/benchcmd"

func main() {
	benchcmd.Main("mining", map[string]func([]string) error{
		"verify":  runVerify,
		"pool":    runPool,
		"mine":    runMine,
		"summary": runSummary,
	})
}
