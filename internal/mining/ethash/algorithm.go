package ethash

import (
	"fmt"
	"math/big"

	"golang.org/x/crypto/sha3"
)

// Epoch lengths in blocks: ethash (and etchash before ECIP-1099) and
// etchash from its activation block on. Seed hashes always advance every
// SeedEpochLength blocks.
const (
	EpochLength         = 30000
	ECIP1099EpochLength = 60000
	SeedEpochLength     = 30000
)

// ECIP-1099 activation blocks of the known etchash networks.
const (
	ClassicECIP1099Block = 11_700_000
	MordorECIP1099Block  = 2_520_000
)

// maxEpoch bounds the epochs a Verifier accepts (the spec's size tables end
// there; a cache for epoch 2048 is already 285 MB).
const maxEpoch = 2048

// Algorithm is ethash or etchash with its ECIP-1099 activation block, and
// the cache and dataset sizes (the spec's, or tiny ones in tests).
type Algorithm struct {
	name       string
	etchash    bool
	activation uint64
	sizes      Sizes
}

// Ethash is the original algorithm: 30000-block epochs.
func Ethash() Algorithm {
	return Algorithm{name: "ethash", sizes: SpecSizes}
}

// Etchash is Ethereum Classic's ethash (ECIP-1099): 30000-block epochs
// before activation, 60000-block epochs from it on.
func Etchash(activation uint64) Algorithm {
	return Algorithm{name: "etchash", etchash: true, activation: activation, sizes: SpecSizes}
}

// ForNetwork picks the algorithm for a mining.algorithm setting and a
// network: etchash on classic and mordor uses their activation blocks;
// etchash on any other network has no known activation block, so it is an
// error: call Etchash(activation) with the block the chain's genesis
// configuration names (core-geth's ecip1099FBlock; 0 if active from
// genesis).
func ForNetwork(algorithm, network string) (Algorithm, error) {
	switch algorithm {
	case "ethash":
		return Ethash(), nil
	case "etchash":
		switch network {
		case "classic":
			return Etchash(ClassicECIP1099Block), nil
		case "mordor":
			return Etchash(MordorECIP1099Block), nil
		}
		return Algorithm{}, fmt.Errorf("etchash on network %q: its ECIP-1099 activation block is not known; use ethash.Etchash(block) with the chain's ecip1099FBlock", network)
	}
	return Algorithm{}, fmt.Errorf("unknown mining algorithm %q (want ethash or etchash)", algorithm)
}

// WithSizes returns the algorithm with other cache and dataset sizes: tests
// use tiny ones to exercise whole code paths in milliseconds. Hashes with
// sizes other than SpecSizes are not valid on any real chain.
func (a Algorithm) WithSizes(s Sizes) Algorithm {
	a.sizes = s
	return a
}

// Name is "ethash" or "etchash".
func (a Algorithm) Name() string { return a.name }

// String names the algorithm and, for etchash, its activation block.
func (a Algorithm) String() string {
	if a.etchash {
		return fmt.Sprintf("etchash(ECIP-1099 at %d)", a.activation)
	}
	return a.name
}

// Sizes are the algorithm's cache and dataset size parameters.
func (a Algorithm) Sizes() Sizes { return a.sizes }

// EpochLength is the length of the epoch height falls in.
func (a Algorithm) EpochLength(height uint64) uint64 {
	if a.etchash && height >= a.activation {
		return ECIP1099EpochLength
	}
	return EpochLength
}

// Epoch is the epoch of height, counted in epochs of EpochLength(height):
// it picks the cache and dataset sizes.
func (a Algorithm) Epoch(height uint64) uint64 {
	return height / a.EpochLength(height)
}

// SeedHash is the seed of height's epoch, as getWork reports it: Keccak-256
// applied once per 30000 blocks before the epoch's first block (so etchash
// epoch 195 of 60000 blocks has the seed of ethash epoch 390).
func (a Algorithm) SeedHash(height uint64) [32]byte {
	return seedHash(a.Epoch(height) * a.EpochLength(height))
}

func seedHash(epochStart uint64) [32]byte {
	var seed [32]byte
	h := sha3.NewLegacyKeccak256()
	for i := uint64(0); i < epochStart/SeedEpochLength; i++ {
		h.Reset()
		h.Write(seed[:])
		h.Sum(seed[:0])
	}
	return seed
}

// CacheSize is the size in bytes of the verification cache for height.
func (a Algorithm) CacheSize(height uint64) uint64 {
	return a.sizes.Cache(a.Epoch(height))
}

// DatasetSize is the size in bytes of the full dataset (DAG) for height.
func (a Algorithm) DatasetSize(height uint64) uint64 {
	return a.sizes.Dataset(a.Epoch(height))
}

// Sizes are the Ethash spec's size parameters in bytes.
type Sizes struct {
	CacheInit, CacheGrowth     uint64
	DatasetInit, DatasetGrowth uint64
}

// SpecSizes are the sizes of the Ethash spec (revision 23).
var SpecSizes = Sizes{
	CacheInit:     1 << 24,
	CacheGrowth:   1 << 17,
	DatasetInit:   1 << 30,
	DatasetGrowth: 1 << 23,
}

// Ethash item widths: a cache and dataset item is a 64-byte hash, hashimoto
// mixes 128 bytes (two items) at a time.
const (
	HashBytes = 64
	MixBytes  = 128
)

// Cache is the cache size of an epoch: the largest size not above
// CacheInit + CacheGrowth*epoch - 64 that is a prime number of 64-byte items.
func (s Sizes) Cache(epoch uint64) uint64 {
	return primeSize(s.CacheInit+s.CacheGrowth*epoch-HashBytes, HashBytes)
}

// Dataset is the dataset size of an epoch: the largest size not above
// DatasetInit + DatasetGrowth*epoch - 128 that is a prime number of
// 128-byte mixes.
func (s Sizes) Dataset(epoch uint64) uint64 {
	return primeSize(s.DatasetInit+s.DatasetGrowth*epoch-MixBytes, MixBytes)
}

func primeSize(size, unit uint64) uint64 {
	// ProbablyPrime is exact below 2^64.
	for !new(big.Int).SetUint64(size / unit).ProbablyPrime(1) {
		size -= 2 * unit
	}
	return size
}
