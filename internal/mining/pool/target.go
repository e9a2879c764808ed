package pool

import (
	"math"
	"math/big"
)

var (
	two256    = new(big.Int).Lsh(big.NewInt(1), 256)
	maxTarget = new(big.Int).Sub(two256, big.NewInt(1))
	// nicehashDiff1 is the target of EthereumStratum/1.0.0 difficulty 1,
	// Bitcoin's: 0x00000000ffff0000…0.
	nicehashDiff1 = new(big.Int).Lsh(big.NewInt(0xffff), 208)
)

// targetFor is 2^256 / difficulty, the largest result a share of that
// difficulty may have (2^256-1 for difficulty 1 or less).
func targetFor(difficulty uint64) *big.Int {
	if difficulty <= 1 {
		return new(big.Int).Set(maxTarget)
	}
	return new(big.Int).Div(two256, new(big.Int).SetUint64(difficulty))
}

// difficultyOf is 2^256 / target as a float: the expected number of hashes
// a result at most target takes.
func difficultyOf(target *big.Int) float64 {
	if target.Sign() <= 0 {
		return math.Inf(1)
	}
	q := new(big.Float).Quo(new(big.Float).SetInt(two256), new(big.Float).SetInt(target))
	f, _ := q.Float64()
	return f
}

// nicehashDifficulty is the EthereumStratum/1.0.0 difficulty whose target
// is (about) 2^256 / difficulty: difficulty · 0xffff / 2^48.
func nicehashDifficulty(difficulty uint64) float64 {
	return float64(difficulty) * 0xffff / (1 << 48)
}

// nicehashTarget is the target a miner derives from EthereumStratum/1.0.0
// difficulty d: 0x00000000ffff0000…0 / d.
func nicehashTarget(d float64) *big.Int {
	if d <= 0 || math.IsNaN(d) || math.IsInf(d, 0) {
		return new(big.Int).Set(maxTarget)
	}
	q := new(big.Float).SetPrec(320).SetInt(nicehashDiff1)
	q.Quo(q, new(big.Float).SetPrec(320).SetFloat64(d))
	t, _ := q.Int(nil)
	if t.Cmp(maxTarget) > 0 {
		return t.Set(maxTarget)
	}
	return t
}

// meets reports whether a result is at most target.
func meets(result [32]byte, target *big.Int) bool {
	return new(big.Int).SetBytes(result[:]).Cmp(target) <= 0
}
