package dag

import (
	"encoding/binary"
	"hash"

	"golang.org/x/crypto/sha3"
)

// Ethash constants (spec revision 23).
const (
	revision       = 23
	hashBytes      = 64  // a cache or dataset item
	hashWords      = 16  // 32-bit words in an item
	mixBytes       = 128 // hashimoto's mix: two items
	mixWords       = 32
	cacheRounds    = 3
	datasetParents = 256
	accesses       = 64 // hashimoto's dataset reads per hash
)

// fnv is the FNV-like mixing function of the spec.
func fnv(a, b uint32) uint32 { return a*0x01000193 ^ b }

// keccak wraps a legacy (pre-SHA-3 padding) Keccak hasher for reuse.
type keccak struct{ h hash.Hash }

func newKeccak512() keccak { return keccak{sha3.NewLegacyKeccak512()} }
func newKeccak256() keccak { return keccak{sha3.NewLegacyKeccak256()} }

// sum hashes in into out (which may overlap in).
func (k keccak) sum(out, in []byte) {
	k.h.Reset()
	k.h.Write(in)
	k.h.Sum(out[:0])
}

// makeCache generates the verification cache of size bytes from seed:
// a chain of Keccak-512 hashes, then cacheRounds passes of RandMemoHash.
// The result is the cache as little-endian 32-bit words.
func makeCache(size uint64, seed [32]byte) []uint32 {
	n := int(size / hashBytes)
	buf := make([]byte, n*hashBytes)
	item := func(i int) []byte { return buf[i*hashBytes : (i+1)*hashBytes] }

	k := newKeccak512()
	k.sum(item(0), seed[:])
	for i := 1; i < n; i++ {
		k.sum(item(i), item(i-1))
	}
	var x [hashBytes]byte
	for range cacheRounds {
		for i := range n {
			prev := item((i - 1 + n) % n)
			other := item(int(binary.LittleEndian.Uint32(item(i)) % uint32(n)))
			for j := range x {
				x[j] = prev[j] ^ other[j]
			}
			k.sum(item(i), x[:])
		}
	}

	words := make([]uint32, len(buf)/4)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(buf[i*4:])
	}
	return words
}

// datasetItem computes dataset item index from the cache into out (64
// bytes, little-endian words as in the dataset file): calcDatasetItem.
func datasetItem(out []byte, cache []uint32, index uint32, k keccak) {
	n := uint32(len(cache) / hashWords)
	var mix [hashWords]uint32
	copy(mix[:], cache[(index%n)*hashWords:])
	mix[0] ^= index
	putWords(out, mix[:])
	k.sum(out, out[:hashBytes])
	getWords(mix[:], out)

	for j := range uint32(datasetParents) {
		parent := fnv(index^j, mix[j%hashWords]) % n
		for w := range mix {
			mix[w] = fnv(mix[w], cache[parent*hashWords+uint32(w)])
		}
	}
	putWords(out, mix[:])
	k.sum(out, out[:hashBytes])
}

// hashimoto is the ethash hash of header and nonce over a dataset of rows
// 128-byte rows; item(i, dst) puts dataset item i (64 bytes) into dst.
func hashimoto(header [32]byte, nonce uint64, rows uint32, item func(index uint32, dst []byte)) (mix, result [32]byte) {
	var seed [hashBytes + 32]byte // seed, then the compressed mix
	copy(seed[:], header[:])
	binary.LittleEndian.PutUint64(seed[32:], nonce)
	k512 := newKeccak512()
	k512.sum(seed[:hashBytes], seed[:40])
	var s [hashWords]uint32
	getWords(s[:], seed[:hashBytes])

	var m [mixWords]uint32
	for i := range m {
		m[i] = s[i%hashWords]
	}
	var row [mixBytes]byte
	var data [mixWords]uint32
	for i := range uint32(accesses) {
		r := fnv(i^s[0], m[i%mixWords]) % rows
		item(2*r, row[:hashBytes])
		item(2*r+1, row[hashBytes:])
		getWords(data[:], row[:])
		for w := range m {
			m[w] = fnv(m[w], data[w])
		}
	}

	var cmix [mixWords / 4]uint32
	for i := range cmix {
		cmix[i] = fnv(fnv(fnv(m[4*i], m[4*i+1]), m[4*i+2]), m[4*i+3])
	}
	putWords(mix[:], cmix[:])
	copy(seed[hashBytes:], mix[:])
	newKeccak256().sum(result[:], seed[:])
	return mix, result
}

func putWords(dst []byte, words []uint32) {
	for i, w := range words {
		binary.LittleEndian.PutUint32(dst[i*4:], w)
	}
}

func getWords(dst []uint32, src []byte) {
	for i := range dst {
		dst[i] = binary.LittleEndian.Uint32(src[i*4:])
	}
}
