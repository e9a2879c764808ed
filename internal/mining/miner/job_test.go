package miner

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func TestTargets(t *testing.T) {
	pow2 := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }
	for _, tc := range []struct {
		name string
		got  [32]byte
		want *big.Int
	}{
		{"getWork difficulty 131072", TargetForDifficulty(big.NewInt(131072)), pow2(239)},
		{"getWork difficulty 1", TargetForDifficulty(big.NewInt(1)), new(big.Int).Sub(pow2(256), big.NewInt(1))},
		{"stratum difficulty 1", stratumTarget(1), new(big.Int).Lsh(big.NewInt(0xffff), 208)},
		{"stratum difficulty 2^-30", stratumTarget(1.0 / (1 << 30)), new(big.Int).Lsh(big.NewInt(0xffff), 238)},
	} {
		if got := new(big.Int).SetBytes(tc.got[:]); got.Cmp(tc.want) != 0 {
			t.Errorf("%s: target %#x, want %#x", tc.name, got, tc.want)
		}
	}
}

func TestNonceKeepsTheExtranonce(t *testing.T) {
	for _, tc := range []struct {
		prefix uint64
		bits   uint
		n      uint64
		want   uint64
	}{
		{0, 0, 0x0123456789abcdef, 0x0123456789abcdef},
		{0xa1b2 << 48, 16, 0xffffffffffffffff, 0xa1b2ffffffffffff},
		{0xa1b2c << 44, 20, 0x1234, 0xa1b2c00000001234},
	} {
		j := Job{NoncePrefix: tc.prefix, PrefixBits: tc.bits}
		if got := j.nonce(tc.n); got != tc.want {
			t.Errorf("prefix %#x/%d, n %#x: nonce %#x, want %#x", tc.prefix, tc.bits, tc.n, got, tc.want)
		}
	}
}

func TestHeightForSeed(t *testing.T) {
	var seed [32]byte
	if h, ok := heightForSeed(seed); !ok || h != 0 {
		t.Errorf("epoch 0 seed: height %d, %v", h, ok)
	}
	// Mordor's first etchash epoch (60000-block epoch 42, from block
	// 2,520,000) has the seed of 30000-block epoch 84: 84 keccak rounds.
	for range 84 {
		copy(seed[:], crypto.Keccak256(seed[:]))
	}
	if h, ok := heightForSeed(seed); !ok || h != 2_520_000 {
		t.Errorf("epoch 84 seed: height %d, %v; want 2520000", h, ok)
	}
	if _, ok := heightForSeed([32]byte{1}); ok {
		t.Error("a made-up seed maps to a height")
	}
}

func TestParseWork(t *testing.T) {
	header := "0x" + "11" + "00000000000000000000000000000000000000000000000000000000000000"
	zero := "0x" + "0000000000000000000000000000000000000000000000000000000000000000"
	j, err := parseWork([]string{header, zero, "0x8000000000000000000000000000000000000000000000000000000000000", "0x2a"})
	if err != nil || j.Height != 42 || j.Header[0] != 0x11 || j.Target[1] != 0x08 {
		t.Errorf("parseWork = %+v, %v", j, err)
	}
	if j, err := parseWork([]string{header, zero, "0xff"}); err != nil || j.Height != 0 {
		t.Errorf("without a number: height %d, %v; want the seed's epoch start 0", j.Height, err)
	}
	if _, err := parseWork([]string{header, zero}); err == nil {
		t.Error("two items parsed")
	}
}
