package agent

import (
	"fmt"
	"log/slog"
	"os"
	"testing"

	"github.com/ethfleet/ethfleet/internal/hold"
)

// TestMain lets a test run this binary as `ethfleet hold run`: with
// ETHFLEET_TEST_HOLD_DIR set it runs hold.Run(that directory, its
// arguments), as the Kubernetes snapshotter's execution container does.
func TestMain(m *testing.M) {
	if dir := os.Getenv("ETHFLEET_TEST_HOLD_DIR"); dir != "" {
		err := hold.Run(dir, os.Args[1:], slog.New(slog.DiscardHandler))
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}
