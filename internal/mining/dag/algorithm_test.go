package dag

import (
	"encoding/hex"
	"testing"
)

func mustHash(t testing.TB, s string) [32]byte {
	t.Helper()
	var h [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hash %q: %v", s, err)
	}
	copy(h[:], b)
	return h
}

// lightItem computes dataset items on demand from the cache: the dataset
// without storing it.
func lightItem(cache []uint32) func(uint32, []byte) {
	k := newKeccak512()
	return func(index uint32, dst []byte) { datasetItem(dst, cache, index, k) }
}

// fullItem reads items from a generated dataset.
func fullItem(dataset []byte) func(uint32, []byte) {
	return func(index uint32, dst []byte) { copy(dst, dataset[index*hashBytes:]) }
}

// TestHashimoto is go-ethereum's TestHashimoto vector: a 1 KiB cache from
// the epoch-0 seed and a 32 KiB dataset.
func TestHashimoto(t *testing.T) {
	cache := makeCache(1024, [32]byte{})
	dataset := make([]byte, 32*1024)
	generateItems(dataset, 0, cache)

	header := mustHash(t, "c9149cc0386e689d789a1c2f3d5d169a61a6218ed30e74414dc736e442ef3d1f")
	wantMix := mustHash(t, "e4073cffaef931d37117cefd9afd27ea0f1cad6a981dd2605c4a1ac97c519800")
	wantResult := mustHash(t, "d3539235ee2e6f8db665c0a72169f55b7f6c605712330b778ec3944f0eb5a557")

	rows := uint32(len(dataset) / mixBytes)
	for name, item := range map[string]func(uint32, []byte){"light": lightItem(cache), "full": fullItem(dataset)} {
		mix, result := hashimoto(header, 0, rows, item)
		if mix != wantMix || result != wantResult {
			t.Errorf("%s hashimoto = (%x, %x), want (%x, %x)", name, mix, result, wantMix, wantResult)
		}
	}
}
