// Package benchcmd is the frame the benchmarks' Go halves share: a
// command made of subcommands that their run scripts call one by one,
// passing results between them as JSON files.
package benchcmd

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// Main runs the subcommand of cmds that os.Args[1] names with the rest of
// the arguments, and exits 1 on its error (2 on a wrong subcommand). name
// is the benchmark's, as in "go run ./bench/NAME".
func Main(name string, cmds map[string]func([]string) error) {
	if len(os.Args) < 2 || cmds[os.Args[1]] == nil {
		fmt.Fprintf(os.Stderr, "usage: go run ./bench/%s %s [flags]  (see bench/%s/run)\n", name, strings.Join(slices.Sorted(maps.Keys(cmds)), "|"), name)
		os.Exit(2)
	}
	if err := cmds[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "%s bench %s: %v\n", name, os.Args[1], err)
		os.Exit(1)
	}
}

// WriteJSON writes v to path, indented.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ReadJSON reads path into v.
func ReadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
