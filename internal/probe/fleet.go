package probe

import (
	"math"
	"slices"
)

// AgreedHead is the fleet's head: the highest head within gap of the
// median, so that one node claiming a head far above the rest cannot make
// every healthy node look behind. The median is the upper one: with two
// nodes nobody can tell which is wrong, and the higher head is believed.
func AgreedHead(heads []uint64, gap uint64) uint64 {
	if len(heads) == 0 {
		return 0
	}
	slices.Sort(heads)
	limit := heads[len(heads)/2] + gap
	if gap == 0 {
		limit = math.MaxUint64
	}
	var head uint64
	for _, h := range heads {
		if h <= limit {
			head = h
		}
	}
	return head
}
