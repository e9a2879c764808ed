package ethash

import (
	"encoding/hex"
	"testing"

	"golang.org/x/crypto/sha3"
)

func TestForNetwork(t *testing.T) {
	tests := []struct {
		algorithm, network string
		want               Algorithm
		wantErr            bool
	}{
		{algorithm: "ethash", network: "mainnet", want: Ethash()},
		{algorithm: "ethash", network: "classic", want: Ethash()},
		{algorithm: "etchash", network: "classic", want: Etchash(11_700_000)},
		{algorithm: "etchash", network: "mordor", want: Etchash(2_520_000)},
		{algorithm: "etchash", network: "private", wantErr: true},
		{algorithm: "progpow", network: "classic", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ForNetwork(tt.algorithm, tt.network)
		if (err != nil) != tt.wantErr {
			t.Errorf("ForNetwork(%q, %q) error = %v, want error %v", tt.algorithm, tt.network, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ForNetwork(%q, %q) = %v, want %v", tt.algorithm, tt.network, got, tt.want)
		}
	}
}

// keccakTimes is the seed hash after n rounds of Keccak-256 from zero.
func keccakTimes(n int) [32]byte {
	var seed [32]byte
	for range n {
		h := sha3.NewLegacyKeccak256()
		h.Write(seed[:])
		h.Sum(seed[:0])
	}
	return seed
}

func TestEpochsAndSeeds(t *testing.T) {
	classic := Etchash(11_700_000)
	tests := []struct {
		name        string
		alg         Algorithm
		height      uint64
		epoch       uint64
		epochLength uint64
		seedRounds  int
	}{
		{"ethash genesis", Ethash(), 0, 0, 30000, 0},
		{"ethash last of epoch 0", Ethash(), 29999, 0, 30000, 0},
		{"ethash epoch 1", Ethash(), 30000, 1, 30000, 1},
		{"ethash block 11730000", Ethash(), 11_730_000, 391, 30000, 391},
		{"etchash before activation", classic, 11_699_999, 389, 30000, 389},
		{"etchash activation", classic, 11_700_000, 195, 60000, 390},
		// ethash would move to seed 391 here; etchash stays in epoch 195.
		{"etchash inside first long epoch", classic, 11_730_000, 195, 60000, 390},
		{"etchash second long epoch", classic, 11_760_000, 196, 60000, 392},
		{"mordor activation", Etchash(2_520_000), 2_520_000, 42, 60000, 84},
		{"etchash from genesis", Etchash(0), 60000, 1, 60000, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.alg.Epoch(tt.height); got != tt.epoch {
				t.Errorf("Epoch = %d, want %d", got, tt.epoch)
			}
			if got := tt.alg.EpochLength(tt.height); got != tt.epochLength {
				t.Errorf("EpochLength = %d, want %d", got, tt.epochLength)
			}
			if got, want := tt.alg.SeedHash(tt.height), keccakTimes(tt.seedRounds); got != want {
				t.Errorf("SeedHash = %x, want %x (%d rounds)", got, want, tt.seedRounds)
			}
		})
	}
}

func TestSeedHashEpoch1(t *testing.T) {
	// Keccak-256 of 32 zero bytes: the well-known seed of epoch 1.
	want := "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563"
	seed := Ethash().SeedHash(30000)
	if got := hex.EncodeToString(seed[:]); got != want {
		t.Errorf("seed of epoch 1 = %s, want %s", got, want)
	}
}

func TestSizes(t *testing.T) {
	// From the spec's size tables (as powkit and go-ethereum carry them).
	tests := []struct {
		epoch          uint64
		cache, dataset uint64
	}{
		{0, 16776896, 1073739904},
		{1, 16907456, 1082130304},
		{2, 17039296, 1090514816},
		{195, 42334912, 2709518464},
		{2044, 284687296, 18220048768},
	}
	for _, tt := range tests {
		if got := SpecSizes.Cache(tt.epoch); got != tt.cache {
			t.Errorf("cache size of epoch %d = %d, want %d", tt.epoch, got, tt.cache)
		}
		if got := SpecSizes.Dataset(tt.epoch); got != tt.dataset {
			t.Errorf("dataset size of epoch %d = %d, want %d", tt.epoch, got, tt.dataset)
		}
	}
	// Etchash sizes follow its own (longer) epochs.
	classic := Etchash(11_700_000)
	if got, want := classic.DatasetSize(11_700_000), SpecSizes.Dataset(195); got != want {
		t.Errorf("etchash dataset size at activation = %d, want %d (epoch 195)", got, want)
	}
	if got, want := classic.CacheSize(11_699_999), SpecSizes.Cache(389); got != want {
		t.Errorf("etchash cache size before activation = %d, want %d (epoch 389)", got, want)
	}
}
