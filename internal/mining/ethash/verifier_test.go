package ethash

import (
	"fmt"

	"os/user"
	"path/filepath"
	"sync"
	"testing"
)

// tinySizes make caches of about 1 KiB: whole code paths run in
// microseconds, also under the race detector.
var tinySizes = Sizes{CacheInit: 1 << 10, CacheGrowth: 1 << 7, DatasetInit: 1 << 15, DatasetGrowth: 1 << 10}

// outcome is what a pool would make of a share.
func outcome(v vector, mix, result [32]byte) string {
	switch {
	case mix != v.mix:
		return "wrong mix digest"
	case !Meets(result, Target(v.difficulty)):
		return "above target"
	}
	return "valid"
}

func skipRealSizesUnderRace(t *testing.T) {
	if raceEnabled {
		t.Skip("real-size caches take minutes under the race detector; run without -race")
	}
}

// powcacheFiles lists what powkit's default storage directory holds.
func powcacheFiles(t *testing.T) []string {
	u, err := user.Current()
	if err != nil {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(u.HomeDir, ".powcache", "*"))
	return files
}

func TestVerifyEthash(t *testing.T) {
	skipRealSizesUnderRace(t)
	block1, block3311058 := mainnetBlock1(t), mainnetBlock3311058(t)
	wrongMix := block1
	wrongMix.mix[0] ^= 1
	wrongNonce := block1
	wrongNonce.nonce++
	// The header of block 1 mined at a height of epoch 111: only there to
	// make the verifier load epoch 111's cache and drop epoch 0's.
	epoch111 := block1
	epoch111.height = 111 * EpochLength

	before := powcacheFiles(t)
	v := NewVerifier(Ethash())
	tests := []struct {
		name  string
		share vector
		want  string
	}{
		{"valid block 1", block1, "valid"},
		{"wrong mix digest", wrongMix, "wrong mix digest"},
		{"wrong nonce", wrongNonce, "wrong mix digest"},
		{"valid block of epoch 110", block3311058, "valid"},
		{"other epoch evicts epoch 0", epoch111, "wrong mix digest"},
		{"stale epoch 0 recomputed", block1, "valid"},
	}
	for _, tt := range tests {
		mix, result, err := v.Verify(tt.share.height, tt.share.header, tt.share.nonce)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := outcome(tt.share, mix, result); got != tt.want {
			t.Errorf("%s: %s, want %s (mix %x)", tt.name, got, tt.want, mix)
		}
	}
	if after := powcacheFiles(t); len(after) != len(before) {
		t.Errorf("~/.powcache changed: %v -> %v", before, after)
	}
}

func TestVerifyEtchash(t *testing.T) {
	skipRealSizesUnderRace(t)
	v := NewVerifier(Etchash(ClassicECIP1099Block))
	for _, share := range []vector{classicBlock11700000(t), classicBlock12000000(t)} {
		mix, result, err := v.Verify(share.height, share.header, share.nonce)
		if err != nil {
			t.Fatalf("%s: %v", share.name, err)
		}
		if got := outcome(share, mix, result); got != "valid" {
			t.Errorf("%s: %s (mix %x)", share.name, got, mix)
		}
		if share.result != ([32]byte{}) && result != share.result {
			t.Errorf("%s: result %x, want %x", share.name, result, share.result)
		}
	}
}

func TestVerifyRejectsEpochsBeyondTables(t *testing.T) {
	v := NewVerifier(Ethash())
	if _, _, err := v.Verify(maxEpoch*EpochLength, [32]byte{}, 0); err == nil {
		t.Error("Verify far beyond the last epoch: no error")
	}
}

// TestVerifyConcurrent has many goroutines verify shares of several epochs
// in different orders (so caches are evicted and made again) and checks
// every answer against a verifier used from one goroutine.
func TestVerifyConcurrent(t *testing.T) {
	algorithms := []Algorithm{
		Ethash().WithSizes(tinySizes),
		// Activation at 60000: heights below use 30000-block epochs.
		Etchash(60000).WithSizes(tinySizes),
	}
	heights := []uint64{0, 29999, 30000, 59999, 60000, 90000, 119999, 120000, 180000, 1}
	for _, alg := range algorithms {
		t.Run(alg.Name(), func(t *testing.T) {
			type share struct {
				height uint64
				nonce  uint64
			}
			var shares []share
			for i, h := range heights {
				shares = append(shares, share{h, uint64(i) * 7919})
			}
			type answer struct{ mix, result [32]byte }
			want := make(map[share]answer)
			ref := NewVerifier(alg)
			header := [32]byte{1, 2, 3}
			for _, s := range shares {
				mix, result, err := ref.Verify(s.height, header, s.nonce)
				if err != nil {
					t.Fatal(err)
				}
				want[s] = answer{mix, result}
			}

			v := NewVerifier(alg)
			var wg sync.WaitGroup
			errs := make(chan error, 8*len(shares))
			for g := range 8 {
				wg.Go(func() {
					for i := range shares {
						s := shares[(i+g)%len(shares)]
						mix, result, err := v.Verify(s.height, header, s.nonce)
						if err != nil {
							errs <- err
							continue
						}
						if (answer{mix, result}) != want[s] {
							errs <- fmt.Errorf("height %d nonce %d: answer differs from the sequential verifier's", s.height, s.nonce)
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// BenchmarkVerify measures light verification of epoch-0 shares on one
// core (the cache is made before the timer starts).
func BenchmarkVerify(b *testing.B) {
	v := NewVerifier(Ethash())
	header := [32]byte{0xab}
	if _, _, err := v.Verify(1, header, 0); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := v.Verify(1, header, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "shares/s")
}
