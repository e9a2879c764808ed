package dag

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkItems is how many items a worker computes before writing them out
// (256 KiB) and checking for cancellation.
const chunkItems = 4096

// dumpMagic starts every dataset file, as in go-ethereum's dumps: it tells
// a dataset file from anything else and its byte order (little-endian).
var dumpMagic = []uint32{0xbaddcafe, 0xfee1dead}

const headerBytes = 8 // len(dumpMagic) * 4

// generateItems fills dst (whole 64-byte items) with the dataset items
// starting at first.
func generateItems(dst []byte, first uint32, cache []uint32) {
	k := newKeccak512()
	for i := 0; i*hashBytes < len(dst); i++ {
		datasetItem(dst[i*hashBytes:], cache, first+uint32(i), k)
	}
}

// writeDataset generates the dataset of p into a temporary file next to
// path, then renames it to path: path is either missing or complete.
// progress (may be nil) is told of items done, about every 1%.
func writeDataset(ctx context.Context, path string, p params, progress func(done, total uint64)) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+tmpSuffix+"*")
	if err != nil {
		return fmt.Errorf("dataset file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var header [headerBytes]byte
	for i, m := range dumpMagic {
		binary.LittleEndian.PutUint32(header[i*4:], m)
	}
	if _, err := tmp.Write(header[:]); err != nil {
		return fmt.Errorf("dataset file: %w", err)
	}
	if err := generateFile(ctx, tmp, makeCache(p.cacheSize, p.seed), p.datasetSize/hashBytes, progress); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("dataset file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("dataset file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("dataset file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// generateFile writes items [0, total) after the header, in chunks shared
// out to one worker per CPU.
func generateFile(ctx context.Context, f *os.File, cache []uint32, total uint64, progress func(done, total uint64)) error {
	chunks := (total + chunkItems - 1) / chunkItems
	var next, done atomic.Uint64
	var reported atomic.Uint64
	var progressMu sync.Mutex
	workers := min(runtime.GOMAXPROCS(0), int(chunks))
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			buf := make([]byte, chunkItems*hashBytes)
			for {
				c := next.Add(1) - 1
				if c >= chunks {
					return
				}
				if err := ctx.Err(); err != nil {
					errs <- err
					return
				}
				first := c * chunkItems
				n := min(chunkItems, total-first)
				generateItems(buf[:n*hashBytes], uint32(first), cache)
				if _, err := f.WriteAt(buf[:n*hashBytes], int64(headerBytes+first*hashBytes)); err != nil {
					errs <- fmt.Errorf("dataset file: %w", err)
					return
				}
				d := done.Add(n)
				if progress != nil && (d == total || d-reported.Load() >= total/100) {
					progressMu.Lock()
					if d > reported.Load() {
						reported.Store(d)
						progress(d, total)
					}
					progressMu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when closed empty
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("dataset directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("dataset directory: %w", err)
	}
	return nil
}
