package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		live, roots, floor uint64
		want               int
	}{
		{8 * mib, 0, 64 * mib, 700},        // next collection at 8 + 8 × 7 = 64 MiB
		{5 * mib, 0, 64 * mib, 1180},       // 5 + 5 × 11.8
		{5 * mib, 3 * mib, 64 * mib, 737},  // 5 + (5 + 3) × 7.37: the roots count
		{2 * mib, 0, 64 * mib, 1600},       // the runtime's 4 MiB minimum × 16 = 64 MiB
		{1, 0, 64 * mib, 1600},             // the same for a tiny heap
		{32 * mib, 0, 64 * mib, 100},       // twice the live heap reaches the floor
		{30 * mib, 4 * mib, 64 * mib, 100}, // so does 30 + (30 + 4) at GOGC=100
		{100 * mib, 0, 64 * mib, 100},      // above it: GOGC=100
		{1 * mib, 0, 6 * mib, 150},         // a floor under 8 MiB
		{1 * mib, 0, 2 * mib, 100},         // one the runtime's minimum passes anyway
		{0, 0, 64 * mib, 100},              // nothing measured yet
	}
	for _, tt := range tests {
		if got := Percent(tt.live, tt.roots, tt.floor); got != tt.want {
			t.Errorf("Percent(%d, %d, %d) = %d, want %d", tt.live, tt.roots, tt.floor, got, tt.want)
		}
	}
}

// sink keeps the allocations below from being optimised away.
var sink []byte

// collections counts the collections while 256 MiB of short-lived garbage
// is allocated beside a small live heap.
func collections() uint32 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 256 << 10 {
		sink = make([]byte, 1<<10)
	}
	runtime.ReadMemStats(&after)
	return after.NumGC - before.NumGC
}

func TestKeepCollectsLessOften(t *testing.T) {
	t.Setenv("GOGC", "") // Keep steps aside for an operator's GOGC
	plain := collections()
	stop, reason := Keep(128 << 20)
	if reason != "" {
		t.Fatalf("Keep did nothing: %s", reason)
	}
	runtime.GC() // the first collection arms the tuned GOGC
	tuned := collections()
	goal := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(goal)
	stop()
	// Stacks and globals are counted in: the goal stays at the floor but
	// for what the heap and its roots grew since the last collection.
	if g := goal[0].Value.Uint64(); g > 128<<20*11/10 {
		t.Errorf("heap goal %d MiB with a small live heap, well above the 128 MiB floor", g>>20)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after stop GOGC is %d, want the 100 it was", got)
	}
	t.Logf("collections for 256 MiB of garbage: %d plain, %d with a 128 MiB floor", plain, tuned)
	if tuned*4 > plain {
		t.Errorf("%d collections with the floor, %d without: want at most a quarter", tuned, plain)
	}
}

func TestKeepStepsAside(t *testing.T) {
	t.Setenv("GOGC", "200")
	if _, reason := Keep(64 << 20); reason != "GOGC is set" {
		t.Errorf("reason %q, want GOGC is set", reason)
	}
	if _, reason := Keep(0); reason == "" {
		t.Error("a floor of 0 should turn Keep off")
	}
}
