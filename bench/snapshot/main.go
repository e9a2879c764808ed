// Command snapshot is the Go half of bench/snapshot/run: it builds the
// devnet chain the benchmark snapshots, snapshots it, times a new
// follower's way to serving, and prints the summary. Run it through the
// script, which times the command-line tools beside it.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmds := map[string]func([]string) error{
		"gen":     runGen,
		"grow":    runGrow,
		"snap":    runSnap,
		"serve":   runServe,
		"summary": runSummary,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		usage()
	}
	if err := cmd(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "snapshot bench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go run ./bench/snapshot gen|grow|snap|serve|summary [flags]  (see bench/snapshot/run)")
	os.Exit(2)
}

// writeJSON writes v to path, indented.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// readJSON reads path into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// dropCaches writes dirty pages out and empties the page cache, so the
// next step reads from disk; it reports false where that needs root.
func dropCaches() bool {
	syscall.Sync()
	return os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o200) == nil
}
