package ethash

import (
	"fmt"
	"sync"

	powethash "github.com/sencha-dev/powkit/ethash"
)

// cachesKept is how many verification caches powkit keeps per epoch length
// (the current and the previous epoch's; it also generates the next
// epoch's in the background, so at most three are in memory).
const cachesKept = 2

// Verifier computes ethash/etchash in light mode. It is safe for concurrent
// use; a new epoch's cache (about 1 s of work at epoch 0, more later) is
// generated once, whoever asks first, while the others wait for it.
type Verifier struct {
	alg Algorithm

	mu sync.Mutex
	// clients by epoch length: etchash needs a 30000-block client below
	// its activation block and a 60000-block one from it on.
	clients map[uint64]*powethash.Client
}

// NewVerifier returns a Verifier for alg with no caches yet.
func NewVerifier(alg Algorithm) *Verifier {
	return &Verifier{alg: alg, clients: make(map[uint64]*powethash.Client)}
}

// Algorithm is the algorithm v verifies.
func (v *Verifier) Algorithm() Algorithm { return v.alg }

// Verify computes the mix digest and result of header (the block's seal
// hash, getWork's powHash) and nonce at height. A share is valid when mix
// equals the mix digest the miner sent and Meets(result, target).
func (v *Verifier) Verify(height uint64, header [32]byte, nonce uint64) (mix, result [32]byte, err error) {
	if epoch := v.alg.Epoch(height); epoch >= maxEpoch {
		return mix, result, fmt.Errorf("height %d: epoch %d is beyond the last supported epoch %d", height, epoch, maxEpoch-1)
	}
	m, r, err := v.client(height).Compute(header[:], height, nonce)
	if err != nil {
		return mix, result, fmt.Errorf("ethash at height %d: %w", height, err)
	}
	copy(mix[:], m)
	copy(result[:], r)
	return mix, result, nil
}

// client returns the powkit client for height's epoch length, shared
// with the process's other verifiers. Once an etchash chain is a full
// epoch past activation, this verifier stops using the pre-activation
// client: no work that old is still being mined.
func (v *Verifier) client(height uint64) *powethash.Client {
	length := v.alg.EpochLength(height)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.alg.etchash && height >= v.alg.activation+ECIP1099EpochLength {
		delete(v.clients, EpochLength)
	}
	c := v.clients[length]
	if c == nil {
		c = sharedClient(v.alg.sizes, length)
		v.clients[length] = c
	}
	return c
}

// shared holds one powkit client per sizes and epoch length for the whole
// process, so that the verifiers of a process (a pool's, a miner's, a
// test's) share their caches instead of each making its own: a second at
// epoch 0, tens of seconds under the race detector.
var shared struct {
	sync.Mutex
	clients map[clientKey]*powethash.Client
}

type clientKey struct {
	sizes       Sizes
	epochLength uint64
}

func sharedClient(s Sizes, epochLength uint64) *powethash.Client {
	shared.Lock()
	defer shared.Unlock()
	if shared.clients == nil {
		shared.clients = map[clientKey]*powethash.Client{}
	}
	k := clientKey{s, epochLength}
	c := shared.clients[k]
	if c == nil {
		c = newPowkitClient(s, epochLength)
		shared.clients[k] = c
	}
	return c
}

// newPowkitClient builds a powkit ethash client like its NewEthereum, but
// with an empty StorageDir so that caches live in memory only (NewEthereum
// memory-maps them from files in ~/.powcache, found through the passwd
// entry rather than $HOME), with the epoch length given (NewEthereumClassic
// always uses 60000) and with our sizes. powkit's Config type sits in an
// internal package: it cannot be named here, but a value of it can be made
// and filled in, its type inferred from powethash.New.
func newPowkitClient(s Sizes, epochLength uint64) *powethash.Client {
	cfg := zeroArgument(powethash.New)
	cfg.Name = "ETH"
	cfg.Revision = 23
	cfg.StorageDir = "" // never on disk
	cfg.DatasetInitBytes = s.DatasetInit
	cfg.DatasetGrowthBytes = s.DatasetGrowth
	cfg.CacheInitBytes = s.CacheInit
	cfg.CacheGrowthBytes = s.CacheGrowth
	// No lookup tables (their type is unexported): sizes come from the
	// same formula as Sizes.Cache and Sizes.Dataset, a few microseconds.
	cfg.MixBytes = MixBytes
	cfg.DatasetParents = 256
	cfg.EpochLength = epochLength
	cfg.SeedEpochLength = SeedEpochLength
	cfg.CacheRounds = 3
	cfg.CachesCount = cachesKept
	return powethash.New(cfg)
}

// zeroArgument returns the zero value of f's parameter type.
func zeroArgument[C any](f func(C) *powethash.Client) C {
	var c C
	return c
}
