// Package providertest is the conformance suite every autoscale.Provider
// passes: run it from each provider's tests against the provider and its
// fake backend.
package providertest

import (
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/mining/autoscale"
)

// Run scales p to 2, 3, 1, 0 and 2 again (so its backend must allow 0 to
// 3), checking after each change that Current reports the new desired
// count at once and, within a few seconds, as many running; and that a
// negative count is refused.
func Run(t *testing.T, p autoscale.Provider) {
	t.Helper()
	ctx := t.Context()
	if _, _, err := p.Current(ctx); err != nil {
		t.Fatalf("Current: %v", err)
	}
	for _, n := range []int{2, 3, 1, 0, 2} {
		if err := p.SetDesired(ctx, n); err != nil {
			t.Fatalf("SetDesired(%d): %v", n, err)
		}
		desired, running, err := p.Current(ctx)
		if err != nil {
			t.Fatalf("Current after SetDesired(%d): %v", n, err)
		}
		if desired != n {
			t.Fatalf("after SetDesired(%d): desired %d", n, desired)
		}
		deadline := time.Now().Add(10 * time.Second)
		for running != n {
			if time.Now().After(deadline) {
				t.Fatalf("after SetDesired(%d): %d running after 10s", n, running)
			}
			time.Sleep(10 * time.Millisecond) // polling a backend that converges on its own
			if desired, running, err = p.Current(ctx); err != nil {
				t.Fatalf("Current: %v", err)
			}
			if desired != n {
				t.Fatalf("after SetDesired(%d): desired became %d", n, desired)
			}
		}
	}
	if err := p.SetDesired(ctx, -1); err == nil {
		t.Error("SetDesired(-1) is not an error")
	}
}
