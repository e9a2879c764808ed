package miner

import (
	"sync"

	"github.com/ethereum/go-ethereum/crypto"
	powethash "github.com/sencha-dev/powkit/ethash"
)

// Hasher computes the proof of work of a header and nonce at a height:
// the mix digest and the result the target is compared with (both
// big-endian, as they go on the wire).
type Hasher interface {
	Hash(height uint64, header [32]byte, nonce uint64) (mix, result [32]byte)
}

// Light hashes from the per-epoch verification cache (16 MiB at epoch 0,
// made in about a second) instead of the 1 GiB DAG: slow (about 6 ms a
// hash) but with nothing to generate up front. Safe for concurrent use.
//
// powkit keeps its caches under ~/.powcache.
type Light struct {
	ethash  *powethash.Client
	classic *powethash.Client
	// ecip1099 is the first block hashed with etchash (epoch length
	// 60000); with classic nil every height uses ethash.
	ecip1099 uint64
}

// NewLight returns a light ethash hasher (epoch length 30000).
func NewLight() *Light {
	return &Light{ethash: powethash.NewEthereum()}
}

// NewLightEtchash returns a light etchash hasher: ethash below the
// ECIP-1099 activation block, etchash (epoch length 60000) from it on.
func NewLightEtchash(activation uint64) *Light {
	return &Light{ethash: powethash.NewEthereum(), classic: powethash.NewEthereumClassic(), ecip1099: activation}
}

// ECIP1099Block is the etchash activation block of the networks that
// have one: Ethereum Classic and its Mordor testnet.
func ECIP1099Block(network string) (uint64, bool) {
	switch network {
	case "classic":
		return 11_700_000, true
	case "mordor":
		return 2_520_000, true
	}
	return 0, false
}

// Hash implements Hasher.
func (l *Light) Hash(height uint64, header [32]byte, nonce uint64) (mix, result [32]byte) {
	client := l.ethash
	if l.classic != nil && height >= l.ecip1099 {
		client = l.classic
	}
	m, r, err := client.Compute(header[:], height, nonce)
	if err != nil { // only for a header that is not 32 bytes
		panic("miner: powkit: " + err.Error())
	}
	copy(mix[:], m)
	copy(result[:], r)
	return mix, result
}

// maxSeedEpochs bounds the seed hashes heightForSeed knows: powkit's
// size tables end at epoch 2048.
const maxSeedEpochs = 2048

var (
	seedsOnce sync.Once
	seeds     map[[32]byte]uint64
)

// heightForSeed returns the first block of the 30000-block epoch whose
// seed hash is seed (stratum sends the seed, not the height). With
// etchash's 60000-block epochs the seed of epoch E is that of 30000-block
// epoch 2E, so the height also falls in the right etchash epoch.
func heightForSeed(seed [32]byte) (uint64, bool) {
	seedsOnce.Do(func() {
		seeds = make(map[[32]byte]uint64, maxSeedEpochs)
		var s [32]byte
		for e := uint64(0); e < maxSeedEpochs; e++ {
			seeds[s] = e
			copy(s[:], crypto.Keccak256(s[:]))
		}
	})
	e, ok := seeds[seed]
	return e * 30000, ok
}
