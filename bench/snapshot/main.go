// Command snapshot is the Go half of bench/snapshot/run: it builds the
// devnet chain the benchmark snapshots, snapshots it, times a new
// follower's way to serving, and prints the summary. Run it through the
// script, which times the command-line tools beside it.
package main

import (
	"os"
	"syscall"

	"github.com/ethfleet/ethfleet/bench/benchcmd"
)

func main() {
	benchcmd.Main("snapshot", map[string]func([]string) error{
		"gen":     runGen,
		"grow":    runGrow,
		"snap":    runSnap,
		"serve":   runServe,
		"summary": runSummary,
	})
}

// dropCaches writes dirty pages out and empties the page cache, so the
// next step reads from disk; it reports false where that needs root.
func dropCaches() bool {
	syscall.Sync()
	return os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o200) == nil
}
