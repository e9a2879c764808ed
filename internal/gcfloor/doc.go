// Package gcfloor lets a process with a small live heap grow to a floor
// before the garbage collector runs.
//
// With Go's default GOGC of 100 a collection starts once the heap has
// doubled. A gateway's live heap is a few MiB while it allocates several
// KiB per request, so at tens of thousands of requests a second it
// collects dozens of times a second, and each collection's fixed costs
// (stopping goroutines, scanning their stacks) come out of the requests.
// Keep raises GOGC after every collection so that the next one starts at
// floor bytes of heap, or at twice the live heap once that is larger, when
// it behaves as GOGC=100. The heap grows no further than about
// max(floor, 2×live): the percentage is worked out from the live heap, the
// goroutine stacks and the globals the last collection found, as the
// runtime works out its heap goal. This is the "GC tuner" large Go services run, without
// a ballast.
//
// An operator who sets GOGC in the environment keeps it: Keep then does
// nothing.
package gcfloor
