package probe

import (
	"slices"
	"testing"
)

func TestAgreedHead(t *testing.T) {
	tests := []struct {
		heads []uint64
		gap   uint64
		want  uint64
	}{
		{nil, 32, 0},
		{[]uint64{5}, 32, 5},
		{[]uint64{10, 11, 12}, 32, 12},
		{[]uint64{10, 11, 500}, 32, 11},
		{[]uint64{10, 500, 501}, 32, 501},
		{[]uint64{10, 11, 500}, 0, 500},
		{[]uint64{7, 7, 7, 7, 1000}, 2, 7},
	}
	for _, tt := range tests {
		if got := AgreedHead(slices.Clone(tt.heads), tt.gap); got != tt.want {
			t.Errorf("AgreedHead(%v, %d) = %d, want %d", tt.heads, tt.gap, got, tt.want)
		}
	}
}
