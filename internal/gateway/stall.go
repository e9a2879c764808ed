package gateway

import (
	"fmt"
	"slices"
	"time"
)

// Stall detection: a node is stalled when the fleet has had the block after
// its head for longer than one block interval (but at least minStall, so a
// node importing a block is not judged by sub-second jitter).
const (
	minStall    = time.Second
	headMarks   = 256 // fleet heads remembered
	intervalWin = 8   // recent heads the block interval is estimated from
)

// headClock remembers when the fleet's head reached each number.
type headClock struct {
	marks []headMark // ascending by number
}

type headMark struct {
	number uint64
	at     time.Time
}

// observe records the fleet's head at now, if it is new.
func (c *headClock) observe(head uint64, now time.Time) {
	if head == 0 || len(c.marks) > 0 && head <= c.marks[len(c.marks)-1].number {
		return
	}
	c.marks = append(c.marks, headMark{head, now})
	if len(c.marks) > headMarks {
		c.marks = slices.Delete(c.marks, 0, len(c.marks)-headMarks)
	}
}

// reachedAt returns when the fleet's head first reached n or beyond.
func (c *headClock) reachedAt(n uint64) (time.Time, bool) {
	i, _ := slices.BinarySearchFunc(c.marks, n, func(m headMark, n uint64) int {
		switch {
		case m.number < n:
			return -1
		case m.number > n:
			return 1
		}
		return 0
	})
	if i == len(c.marks) {
		return time.Time{}, false
	}
	return c.marks[i].at, true
}

// interval is the median time per block over the recent heads, or 0 while
// there are too few to tell.
func (c *headClock) interval() time.Duration {
	if len(c.marks) < 3 {
		return 0
	}
	recent := c.marks[max(0, len(c.marks)-intervalWin-1):]
	per := make([]time.Duration, 0, len(recent)-1)
	for i := 1; i < len(recent); i++ {
		blocks := recent[i].number - recent[i-1].number
		per = append(per, recent[i].at.Sub(recent[i-1].at)/time.Duration(blocks))
	}
	slices.Sort(per)
	return per[len(per)/2]
}

// markStalled makes unfit every fit upstream that has gone without the
// block after its head for longer than the stall threshold.
func (c *headClock) markStalled(v *View, now time.Time) {
	interval := c.interval()
	if interval == 0 {
		return
	}
	threshold := max(interval, minStall)
	for i := range v.Upstreams {
		u := &v.Upstreams[i]
		if !u.Fit || u.Lag == 0 {
			continue
		}
		since, ok := c.reachedAt(u.Head.Number + 1)
		// A node whose heads are polled, not pushed, is known to have
		// been at its head when it was last polled, not now: it is judged
		// as of then, or every poll interval longer than a block would
		// find it stalled.
		asOf := now
		if !u.Pushed {
			asOf = u.Updated
		}
		if !ok || asOf.Sub(since) <= threshold {
			continue
		}
		u.Fit = false
		u.Reason = fmt.Sprintf("stalled at block %d for %s (blocks come every %s)", u.Head.Number, asOf.Sub(since).Round(time.Millisecond), interval.Round(time.Millisecond))
		v.Fit--
	}
}
