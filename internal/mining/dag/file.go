package dag

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/ethfleet/ethfleet/internal/mining/ethash"
)

// tmpSuffix marks a dataset file being written.
const tmpSuffix = ".tmp-"

// params identify one dataset: the epoch's cache size and seed, and its
// size.
type params struct {
	algorithm   ethash.Algorithm
	epoch       uint64
	seed        [32]byte
	cacheSize   uint64
	datasetSize uint64
}

func paramsAt(alg ethash.Algorithm, height uint64) params {
	return params{
		algorithm:   alg,
		epoch:       alg.Epoch(height),
		seed:        alg.SeedHash(height),
		cacheSize:   alg.CacheSize(height),
		datasetSize: alg.DatasetSize(height),
	}
}

// fileName is the dataset file of p: full-R23-<algorithm>-<seed prefix>.
// (The algorithm is part of the name: etchash epoch 195 has the seed of
// ethash epoch 390 but a smaller dataset.)
func (p params) fileName() string {
	return fmt.Sprintf("full-R%d-%s-%x", revision, p.algorithm.Name(), p.seed[:8])
}

// errNotReady means the dataset file is missing or unusable (wrong size or
// magic): it must be generated.
var errNotReady = errors.New("dataset file not ready")

// Dataset is one epoch's full dataset, memory-mapped read-only. Hash is
// safe for concurrent use; Close unmaps it.
type Dataset struct {
	epoch uint64
	path  string
	mem   []byte // the whole file
	items []byte // mem after the header
	rows  uint32

	stopNext func()        // cancels the next epoch's background generation
	nextDone chan struct{} // closed when it has ended
}

// openDataset maps path read-only if it is a complete dataset of p.
func openDataset(path string, p params) (*Dataset, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNotReady
	}
	if err != nil {
		return nil, fmt.Errorf("dataset file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("dataset file: %w", err)
	}
	size := headerBytes + p.datasetSize
	if uint64(info.Size()) != size {
		return nil, fmt.Errorf("%s: %d bytes, want %d: %w", path, info.Size(), size, errNotReady)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	var magic [headerBytes]byte
	for i, m := range dumpMagic {
		binary.LittleEndian.PutUint32(magic[i*4:], m)
	}
	if !bytes.Equal(mem[:headerBytes], magic[:]) {
		unix.Munmap(mem)
		return nil, fmt.Errorf("%s: bad magic: %w", path, errNotReady)
	}
	return &Dataset{
		epoch: p.epoch,
		path:  path,
		mem:   mem,
		items: mem[headerBytes:],
		rows:  uint32(p.datasetSize / mixBytes),
	}, nil
}

// Epoch is the dataset's epoch (in the algorithm's epoch length).
func (d *Dataset) Epoch() uint64 { return d.epoch }

// Path is the dataset's file.
func (d *Dataset) Path() string { return d.path }

// Hash is full hashimoto: the mix digest and result of header (getWork's
// powHash) and nonce.
func (d *Dataset) Hash(header [32]byte, nonce uint64) (mix, result [32]byte) {
	return hashimoto(header, nonce, d.rows, func(index uint32, dst []byte) {
		copy(dst, d.items[uint64(index)*hashBytes:])
	})
}

// Close stops the next epoch's background generation this Dataset
// started (its temporary file is removed), waits for it, and unmaps the
// dataset. The Dataset must not be used after.
func (d *Dataset) Close() error {
	if d.stopNext != nil {
		d.stopNext()
		<-d.nextDone
	}
	if d.mem == nil {
		return nil
	}
	err := unix.Munmap(d.mem)
	d.mem, d.items = nil, nil
	if err != nil {
		return fmt.Errorf("unmapping %s: %w", d.path, err)
	}
	return nil
}

// removeTemporaries deletes leftover temporary files of name in dir: a
// leader that died mid-way left them. Only the lock holder calls it.
func removeTemporaries(dir, name string) error {
	leftovers, err := filepath.Glob(filepath.Join(dir, name+tmpSuffix+"*"))
	if err != nil {
		return err
	}
	for _, f := range leftovers {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing a leftover: %w", err)
		}
	}
	return nil
}
