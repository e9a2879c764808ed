package miner_test

import (
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
	"github.com/ethfleet/ethfleet/internal/mining/miner"
)

// TestFullHasher: a full hasher answers in light mode until its dataset is
// generated and mapped, then from the dataset, with the same hashes, and
// two hashers on one directory share one file.
func TestFullHasher(t *testing.T) {
	alg := ethash.Ethash().WithSizes(ethash.Sizes{CacheInit: 1 << 12, CacheGrowth: 1 << 7, DatasetInit: 1 << 18, DatasetGrowth: 1 << 10})
	dir := t.TempDir()
	light := miner.NewLight(alg)
	var mapped []string
	logf := func(msg string, args ...any) {
		if msg == "DAG mapped" {
			mapped = append(mapped, msg)
		}
	}
	a, b := miner.NewFull(dir, alg, nil), miner.NewFull(dir, alg, logf)
	t.Cleanup(func() { a.Close(); b.Close() })
	header := [32]byte{1, 2, 3}
	for _, h := range []*miner.Full{a, b} {
		await.True(t, 30*time.Second, "hashes from the dataset", func() bool {
			h.Hash(5, header, 0) // starts the generation, or maps the file
			return h.Mapped(5)
		})
	}
	for nonce := uint64(0); nonce < 50; nonce++ {
		wantMix, wantResult := light.Hash(5, header, nonce)
		for _, h := range []*miner.Full{a, b} {
			if mix, result := h.Hash(5, header, nonce); mix != wantMix || result != wantResult {
				t.Fatalf("nonce %d: full hash differs from light", nonce)
			}
		}
	}
	if len(mapped) != 1 {
		t.Errorf("second hasher mapped %d datasets, want 1", len(mapped))
	}
}
