package miner

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ethfleet/ethfleet/internal/mining/dag"
	"github.com/ethfleet/ethfleet/internal/mining/ethash"
)

// Hasher computes the proof of work of a header and nonce at a height:
// the mix digest and the result the target is compared with (both
// big-endian, as they go on the wire).
type Hasher interface {
	Hash(height uint64, header [32]byte, nonce uint64) (mix, result [32]byte)
}

// Light hashes from the per-epoch verification cache (16 MiB at epoch 0,
// made in about a second) instead of the 1 GiB DAG: slow (a few ms a
// hash) but with nothing to generate up front. Safe for concurrent use.
type Light struct {
	v *ethash.Verifier
}

// NewLight returns a light hasher of alg.
func NewLight(alg ethash.Algorithm) *Light { return LightFrom(ethash.NewVerifier(alg)) }

// LightFrom returns a light hasher over v and its caches.
func LightFrom(v *ethash.Verifier) *Light { return &Light{v: v} }

// Hash implements Hasher.
func (l *Light) Hash(height uint64, header [32]byte, nonce uint64) (mix, result [32]byte) {
	mix, result, err := l.v.Verify(height, header, nonce)
	if err != nil { // a height beyond the size tables: no share can meet a target
		for i := range result {
			result[i] = 0xff
		}
	}
	return mix, result
}

// Full hashes from the DAG, about a hundred times faster than Light, with
// the datasets in a directory that the miners of a host (or an EFS file
// system) share: the first to need an epoch generates it, the others wait
// and map the same file (see package dag). Until an epoch's dataset is
// ready it hashes in light mode, so a miner yields shares from its first
// second. Safe for concurrent use; Close unmaps the datasets.
type Full struct {
	dir   string
	alg   ethash.Algorithm
	light *Light
	log   func(msg string, args ...any)

	// current is read on every hash, without a lock.
	current atomic.Pointer[dag.Dataset]

	mu sync.Mutex
	// retired is the dataset current replaced, still mapped: a hash that
	// loaded it just before the swap may still be reading it. It is
	// unmapped at the next swap, an epoch later.
	retired *dag.Dataset
	loading map[uint64]bool      // epochs being ensured
	retry   map[uint64]time.Time // epochs whose last attempt failed, and when to try again
	ctx     context.Context
	cancel  context.CancelFunc
}

// retryAfter is how long a failed generation or mapping waits before it is
// tried again (meanwhile the miner hashes in light mode).
const retryAfter = time.Minute

// NewFull returns a full hasher of alg over the datasets in dir; log, if
// not nil, is told of generation progress and failures.
func NewFull(dir string, alg ethash.Algorithm, log func(msg string, args ...any)) *Full {
	ctx, cancel := context.WithCancel(context.Background())
	if log == nil {
		log = func(string, ...any) {}
	}
	return &Full{dir: dir, alg: alg, light: NewLight(alg), log: log,
		loading: map[uint64]bool{}, retry: map[uint64]time.Time{}, ctx: ctx, cancel: cancel}
}

// Hash implements Hasher.
func (f *Full) Hash(height uint64, header [32]byte, nonce uint64) (mix, result [32]byte) {
	epoch := f.alg.Epoch(height)
	if d := f.current.Load(); d != nil && d.Epoch() == epoch {
		return d.Hash(header, nonce)
	}
	f.startLoad(height, epoch)
	return f.light.Hash(height, header, nonce)
}

// startLoad ensures the dataset of height's epoch in the background,
// unless that is under way or failed less than retryAfter ago.
func (f *Full) startLoad(height, epoch uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loading[epoch] || time.Now().Before(f.retry[epoch]) {
		return
	}
	f.loading[epoch] = true
	go f.load(height, epoch)
}

// load ensures the dataset of height's epoch and makes it current.
func (f *Full) load(height, epoch uint64) {
	start := time.Now()
	var logged uint64 // tenths reported
	d, err := dag.Ensure(f.ctx, f.dir, f.alg, height, dag.WithProgress(func(p dag.Progress) {
		if tenth := 10 * p.Items / max(p.Total, 1); !p.Next && tenth > logged {
			logged = tenth
			f.log("generating the DAG", "epoch", p.Epoch, "percent", 10*tenth)
		}
	}))
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.loading, epoch)
	if err != nil {
		f.retry[epoch] = time.Now().Add(retryAfter)
		f.log("DAG not ready; hashing in light mode", "epoch", epoch, "err", err, "retry", retryAfter)
		return
	}
	delete(f.retry, epoch)
	if f.ctx.Err() != nil { // closed meanwhile
		d.Close()
		return
	}
	f.log("DAG mapped", "epoch", epoch, "path", d.Path(), "took", time.Since(start).Round(time.Second))
	if f.retired != nil {
		f.retired.Close()
	}
	f.retired = f.current.Swap(d)
}

// Mapped reports whether height is hashed from the dataset rather than in
// light mode.
func (f *Full) Mapped(height uint64) bool {
	d := f.current.Load()
	return d != nil && d.Epoch() == f.alg.Epoch(height)
}

// Close stops any generation and unmaps the datasets; the miner must have
// stopped hashing.
func (f *Full) Close() error {
	f.cancel()
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for _, d := range []*dag.Dataset{f.current.Swap(nil), f.retired} {
		if d != nil {
			errs = append(errs, d.Close())
		}
	}
	f.retired = nil
	return errors.Join(errs...)
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
