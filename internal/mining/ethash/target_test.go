package ethash

import (
	"math/big"
	"testing"
)

func TestTargetDifficulty(t *testing.T) {
	tests := []struct {
		difficulty int64
		target     string // leading bytes of the big-endian target
	}{
		{1, "ffffffffffffffff"},
		{2, "8000000000000000"},
		{3, "5555555555555555"},
		{131072, "0000800000000000"},
		{1 << 32, "0000000100000000"},
	}
	for _, tt := range tests {
		d := big.NewInt(tt.difficulty)
		target := Target(d)
		if got := new(big.Int).SetBytes(target[:8]).Text(16); got != new(big.Int).SetBytes(mustHex(t, tt.target)).Text(16) {
			t.Errorf("Target(%d) starts %s, want %s", tt.difficulty, got, tt.target)
		}
		if tt.difficulty > 1 {
			if got := Difficulty(target); got.Cmp(d) != 0 {
				t.Errorf("Difficulty(Target(%d)) = %s", tt.difficulty, got)
			}
		}
	}
	if got := Difficulty([32]byte{}); got.Cmp(two256) != 0 {
		t.Errorf("Difficulty(0) = %s, want 2^256", got)
	}
}

func TestMeets(t *testing.T) {
	target := Target(big.NewInt(1000))
	below, above := target, target
	below[31]--
	above[30]++
	tests := []struct {
		name   string
		result [32]byte
		want   bool
	}{
		{"zero", [32]byte{}, true},
		{"below", below, true},
		{"equal", target, true},
		{"above", above, false},
	}
	for _, tt := range tests {
		if got := Meets(tt.result, target); got != tt.want {
			t.Errorf("%s: Meets = %v, want %v", tt.name, got, tt.want)
		}
	}
}
