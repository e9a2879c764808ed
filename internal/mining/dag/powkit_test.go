package dag

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/ethfleet/ethfleet/internal/mining/ethash"
)

// tinySizes give a cache of about 1 KiB and a dataset of about 32 KiB.
var tinySizes = ethash.Sizes{CacheInit: 1 << 10, CacheGrowth: 1 << 7, DatasetInit: 1 << 15, DatasetGrowth: 1 << 10}

// sameAsPowkit checks light hashimoto over items computed from our cache
// (exactly the dataset's items) against powkit's light verification, for
// random headers and nonces at height, and, when full is set, the
// dataset's full Hash too.
func sameAsPowkit(t *testing.T, alg ethash.Algorithm, height uint64, hashes int, full *Dataset) {
	t.Helper()
	p := paramsAt(alg, height)
	cache := makeCache(p.cacheSize, p.seed)
	rows := uint32(p.datasetSize / mixBytes)
	v := ethash.NewVerifier(alg)
	rng := rand.New(rand.NewPCG(height, 7))
	for range hashes {
		var header [32]byte
		for i := range header {
			header[i] = byte(rng.Uint32())
		}
		nonce := rng.Uint64()
		wantMix, wantResult, err := v.Verify(height, header, nonce)
		if err != nil {
			t.Fatal(err)
		}
		mix, result := hashimoto(header, nonce, rows, lightItem(cache))
		if mix != wantMix || result != wantResult {
			t.Fatalf("%v height %d header %x nonce %d: ours (%x, %x), powkit (%x, %x)", alg, height, header, nonce, mix, result, wantMix, wantResult)
		}
		if full == nil {
			continue
		}
		if mix, result := full.Hash(header, nonce); mix != wantMix || result != wantResult {
			t.Fatalf("%v height %d: full hash (%x, %x), powkit (%x, %x)", alg, height, mix, result, wantMix, wantResult)
		}
	}
}

func TestSameAsPowkitTiny(t *testing.T) {
	tests := []struct {
		alg    ethash.Algorithm
		height uint64
	}{
		{ethash.Ethash().WithSizes(tinySizes), 0},
		{ethash.Ethash().WithSizes(tinySizes), 5*30000 + 17},
		{ethash.Etchash(60000).WithSizes(tinySizes), 3 * 60000},
	}
	for _, tt := range tests {
		d, err := Ensure(context.Background(), t.TempDir(), tt.alg, tt.height, WithoutNext())
		if err != nil {
			t.Fatal(err)
		}
		sameAsPowkit(t, tt.alg, tt.height, 50, d)
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSameAsPowkit uses the real epoch-0 cache (16 MB) and an etchash
// epoch's: the dataset items our full hashimoto would read are computed
// from our cache, so equal hashes prove the DAG without generating 1 GiB.
func TestSameAsPowkit(t *testing.T) {
	if raceEnabled {
		t.Skip("real-size caches take minutes under the race detector; run without -race")
	}
	sameAsPowkit(t, ethash.Ethash(), 1, 20, nil)
	sameAsPowkit(t, ethash.Etchash(0), 60000, 20, nil)
}
