package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// heapMinimum is the runtime's smallest heap goal at GOGC=100; it grows
// with GOGC, so it bounds GOGC too.
const heapMinimum = 4 << 20

// Percent is the GOGC that makes a collection start at floor bytes of heap
// for a live heap of live bytes and roots bytes of stacks and globals, or
// 100 once GOGC=100 would pass floor anyway. The runtime's heap goal is the
// larger of live + (live+roots)×GOGC/100 and heapMinimum×GOGC/100, so
// either way it stays within max(floor, the goal at GOGC=100).
func Percent(live, roots, floor uint64) int {
	if live == 0 || floor <= 2*live+roots {
		return 100
	}
	return int(max(100, min((floor-live)*100/(live+roots), floor*100/heapMinimum)))
}

// Keep tunes GOGC after every collection until stop is called, which puts
// back the GOGC the process had. It does nothing when floor is 0 or the
// GOGC environment variable is set; its reason is then non-empty.
func Keep(floor uint64) (stop func(), reason string) {
	switch {
	case floor == 0:
		return func() {}, "gateway.heapFloor is 0"
	case os.Getenv("GOGC") != "":
		return func() {}, "GOGC is set"
	}
	t := &tuner{floor: floor, sample: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/scan/stack:bytes"},
		{Name: "/gc/scan/globals:bytes"},
	}}
	t.orig = debug.SetGCPercent(100)
	t.last = 100
	t.arm()
	return t.stop, ""
}

// tuner recomputes GOGC once per collection: a sentinel object, unreachable
// from the start, is cleaned up after the collection that finds it, and
// its cleanup arms the next one.
type tuner struct {
	floor  uint64
	orig   int
	sample []metrics.Sample

	mu      sync.Mutex // a collection's cleanup against stop
	last    int
	stopped bool
}

// sentinel is large enough to get an allocation of its own (the runtime may
// never clean up objects of the tiny allocator).
type sentinel [32]byte

func (t *tuner) arm() {
	runtime.AddCleanup(new(sentinel), (*tuner).collected, t)
}

// collected sets GOGC from the live heap the last collection found, unless
// stop came first: checked under the lock, so that a cleanup running
// beside stop cannot undo the GOGC stop put back.
func (t *tuner) collected() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	metrics.Read(t.sample)
	live, roots := t.sample[0].Value.Uint64(), t.sample[1].Value.Uint64()+t.sample[2].Value.Uint64()
	if p := Percent(live, roots, t.floor); p != t.last {
		debug.SetGCPercent(p)
		t.last = p
	}
	t.arm()
}

func (t *tuner) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.stopped = true
	debug.SetGCPercent(t.orig)
}
