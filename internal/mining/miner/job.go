package miner

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Job is work from the pool.
type Job struct {
	// ID is the pool's job id (stratum) or the header hash (getWork).
	ID     string
	Header [32]byte
	Seed   [32]byte
	Height uint64
	// Target is the share boundary: a nonce is a share when its result,
	// as a big-endian number, is at most Target.
	Target [32]byte
	// NoncePrefix holds the PrefixBits high bits of every nonce, fixed
	// by the pool (EthereumStratum's extranonce); the miner varies the
	// rest.
	NoncePrefix uint64
	PrefixBits  uint
}

// Solution is a share found for a job.
type Solution struct {
	Job   Job
	Nonce uint64
	Mix   [32]byte
}

// meets reports whether result is at most the job's target.
func (j *Job) meets(result [32]byte) bool {
	return bytes.Compare(result[:], j.Target[:]) <= 0
}

// nonce returns the n-th nonce of the job's free space.
func (j *Job) nonce(n uint64) uint64 {
	if j.PrefixBits == 0 {
		return n
	}
	if j.PrefixBits >= 64 {
		return j.NoncePrefix
	}
	free := uint64(1)<<(64-j.PrefixBits) - 1
	return j.NoncePrefix&^free | n&free
}

// TargetForDifficulty is 2^256 / difficulty (the ethash convention of
// getWork's third item), capped at 2^256-1.
func TargetForDifficulty(difficulty *big.Int) [32]byte {
	if difficulty.Sign() <= 0 {
		return maxTarget()
	}
	t := new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), 256), difficulty)
	return targetBytes(t)
}

// stratumDiffOne is the target of EthereumStratum difficulty 1: 0xffff
// shifted left 208 bits (bitcoin's difficulty 1, about 2^224, so that
// ethash difficulty D is stratum difficulty D/2^32).
var stratumDiffOne = new(big.Int).Lsh(big.NewInt(0xffff), 208)

// stratumTarget converts an EthereumStratum difficulty to a target.
func stratumTarget(diff float64) [32]byte {
	if diff <= 0 {
		return maxTarget()
	}
	q := new(big.Float).Quo(new(big.Float).SetInt(stratumDiffOne), big.NewFloat(diff))
	t, _ := q.Int(nil)
	return targetBytes(t)
}

func targetBytes(t *big.Int) [32]byte {
	if t.BitLen() > 256 {
		return maxTarget()
	}
	var out [32]byte
	t.FillBytes(out[:])
	return out
}

func maxTarget() [32]byte {
	var out [32]byte
	for i := range out {
		out[i] = 0xff
	}
	return out
}

// parseHash32 reads a 32-byte value written in hex with or without 0x.
func parseHash32(s string) ([32]byte, error) {
	var out [32]byte
	b, err := hexutil.Decode("0x" + strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != 32 {
		return out, fmt.Errorf("%q is not 32 bytes of hex", s)
	}
	copy(out[:], b)
	return out, nil
}

// parseNumber reads a hex number (0x-prefixed, leading zeros allowed).
func parseNumber(s string) (*big.Int, error) {
	n, ok := new(big.Int).SetString(strings.TrimPrefix(s, "0x"), 16)
	if !ok || n.Sign() < 0 {
		return nil, fmt.Errorf("%q is not a hex number", s)
	}
	return n, nil
}

// parseWork reads getWork's answer, the same in EthProxy: [header, seed,
// target] and, when the pool sends it, the block number. Without it the
// height is the first block of the seed's epoch.
func parseWork(work []string) (Job, error) {
	var j Job
	if len(work) < 3 {
		return j, fmt.Errorf("work has %d items, want [header, seed, target, (number)]", len(work))
	}
	var err error
	if j.Header, err = parseHash32(work[0]); err != nil {
		return j, fmt.Errorf("header: %w", err)
	}
	if j.Seed, err = parseHash32(work[1]); err != nil {
		return j, fmt.Errorf("seed: %w", err)
	}
	target, err := parseNumber(work[2])
	if err != nil {
		return j, fmt.Errorf("target: %w", err)
	}
	j.Target = targetBytes(target)
	j.ID = hexutil.Encode(j.Header[:])
	if len(work) >= 4 {
		n, err := parseNumber(work[3])
		if err != nil || !n.IsUint64() {
			return j, fmt.Errorf("block number %q: not a uint64", work[3])
		}
		j.Height = n.Uint64()
		return j, nil
	}
	h, ok := heightForSeed(j.Seed)
	if !ok {
		return j, fmt.Errorf("seed %x: not among the first %d epochs", j.Seed, maxSeedEpochs)
	}
	j.Height = h
	return j, nil
}
