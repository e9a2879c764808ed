package dag

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ethfleet/ethfleet/internal/mining/ethash"
)

// Progress reports dataset generation: Items of Total items of an epoch's
// dataset are written.
type Progress struct {
	Epoch        uint64
	Items, Total uint64
	// Next is set while the following epoch is prepared in the background.
	Next bool
}

// Option changes what Ensure does.
type Option func(*options)

type options struct {
	progress  func(Progress)
	noNext    bool
	poll      time.Duration
	generated func(epoch uint64) // test hook: called when this process generated epoch
}

// WithProgress has Ensure report generation progress to f (about every
// 1%, from a background goroutine for the next epoch).
func WithProgress(f func(Progress)) Option { return func(o *options) { o.progress = f } }

// WithoutNext keeps Ensure from preparing the next epoch's dataset.
func WithoutNext() Option { return func(o *options) { o.noNext = true } }

// Ensure returns the dataset for height's epoch from dir, generating the
// file if no other process is already at it, and waiting for it (polling
// the epoch's lock) if one is. Then, unless WithoutNext, it prepares the
// next epoch's dataset in the background, if no one else is doing so yet;
// the returned Dataset's Close stops that. Cancelling ctx stops waiting and
// generating.
func Ensure(ctx context.Context, dir string, alg ethash.Algorithm, height uint64, opts ...Option) (*Dataset, error) {
	o := options{poll: 200 * time.Millisecond}
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("dataset directory: %w", err)
	}
	d, err := ensure(ctx, dir, paramsAt(alg, height), o)
	if err != nil || o.noNext {
		return d, err
	}

	nextHeight := (alg.Epoch(height) + 1) * alg.EpochLength(height)
	nextCtx, stop := context.WithCancel(ctx)
	d.stopNext, d.nextDone = stop, make(chan struct{})
	go func() {
		defer close(d.nextDone)
		// A failure here is not the caller's: the next Ensure tries again.
		_ = prepare(nextCtx, dir, paramsAt(alg, nextHeight), o)
	}()
	return d, nil
}

// ensure maps p's file, generating it first under the lock if needed.
func ensure(ctx context.Context, dir string, p params, o options) (*Dataset, error) {
	path := filepath.Join(dir, p.fileName())
	for {
		d, err := openDataset(path, p)
		if !errors.Is(err, errNotReady) {
			return d, err
		}
		lock, err := tryLock(path)
		if err != nil {
			return nil, err
		}
		if lock != nil {
			err := generateLocked(ctx, dir, path, p, o, false)
			lock.Close()
			if err != nil {
				return nil, err
			}
			continue // map what was just written
		}
		// Someone else is generating: wait for the file or the lock.
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the dataset of epoch %d: %w", p.epoch, ctx.Err())
		case <-time.After(o.poll):
		}
	}
}

// prepare generates p's file unless it exists or someone holds its lock.
func prepare(ctx context.Context, dir string, p params, o options) error {
	path := filepath.Join(dir, p.fileName())
	lock, err := tryLock(path)
	if err != nil || lock == nil {
		return err
	}
	defer lock.Close()
	return generateLocked(ctx, dir, path, p, o, true)
}

// generateLocked writes p's file unless it is there (another leader may
// have finished it just before we got the lock). The caller holds the lock.
func generateLocked(ctx context.Context, dir, path string, p params, o options, next bool) error {
	if d, err := openDataset(path, p); err == nil {
		return d.Close()
	}
	if err := removeTemporaries(dir, p.fileName()); err != nil {
		return err
	}
	var progress func(done, total uint64)
	if o.progress != nil {
		progress = func(done, total uint64) {
			o.progress(Progress{Epoch: p.epoch, Items: done, Total: total, Next: next})
		}
	}
	if err := writeDataset(ctx, path, p, progress); err != nil {
		return fmt.Errorf("generating the dataset of epoch %d: %w", p.epoch, err)
	}
	if o.generated != nil {
		o.generated(p.epoch)
	}
	return nil
}

// tryLock takes the exclusive flock of path's lock file without waiting:
// it returns the open lock file (close it to unlock), or nil if another
// open file description holds the lock. The kernel releases the lock of a
// process that dies.
func tryLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("dataset lock: %w", err)
	}
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		f.Close()
		return nil, nil
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("dataset lock: %w", err)
	}
	return f, nil
}
