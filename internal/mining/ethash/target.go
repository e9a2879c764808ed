package ethash

import (
	"bytes"
	"math/big"
)

var two256 = new(big.Int).Lsh(big.NewInt(1), 256)

// Target is the boundary 2^256/difficulty a result must not exceed, as a
// big-endian 32-byte number (what getWork reports as target). Difficulties
// of 1 or less give the largest target, 2^256-1.
func Target(difficulty *big.Int) [32]byte {
	var t [32]byte
	if difficulty == nil || difficulty.Cmp(big.NewInt(1)) <= 0 {
		for i := range t {
			t[i] = 0xff
		}
		return t
	}
	new(big.Int).Div(two256, difficulty).FillBytes(t[:])
	return t
}

// Difficulty is 2^256/target, the inverse of Target; a zero target gives
// 2^256 (nothing meets it).
func Difficulty(target [32]byte) *big.Int {
	t := new(big.Int).SetBytes(target[:])
	if t.Sign() == 0 {
		return new(big.Int).Set(two256)
	}
	return t.Div(two256, t)
}

// Meets reports whether a hashimoto result is at or below target, both
// big-endian.
func Meets(result, target [32]byte) bool {
	return bytes.Compare(result[:], target[:]) <= 0
}
