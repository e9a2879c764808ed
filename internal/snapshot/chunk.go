package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/sync/errgroup"
)

// chunkWorker holds one worker's buffers and zstd coders, so that memory
// stays at about two chunks per worker.
type chunkWorker struct {
	raw    []byte
	packed []byte
	enc    *zstd.Encoder
	dec    *zstd.Decoder
}

func newChunkWorker() (*chunkWorker, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	// The decoder skips zstd's own checksum: every chunk's SHA-256 is
	// checked after it.
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(2*ChunkSize), zstd.IgnoreChecksum(true))
	if err != nil {
		return nil, err
	}
	return &chunkWorker{raw: alignedBuffer(ChunkSize), packed: make([]byte, 0, ChunkSize+ChunkSize/8), enc: enc, dec: dec}, nil
}

func (w *chunkWorker) close() {
	w.enc.Close()
	w.dec.Close()
}

// forEach hands the items to parallel workers, each with its own
// chunkWorker, and stops at the first error.
func forEach[T any](ctx context.Context, parallel int, items []T, do func(context.Context, *chunkWorker, T) error) error {
	g, ctx := errgroup.WithContext(ctx)
	next := make(chan T)
	g.Go(func() error {
		defer close(next)
		for _, it := range items {
			select {
			case next <- it:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	for range parallel {
		g.Go(func() error {
			w, err := newChunkWorker()
			if err != nil {
				return err
			}
			defer w.close()
			for it := range next {
				if err := do(ctx, w, it); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

func putChunk(ctx context.Context, s Store, hash string, packed []byte) error {
	if err := s.Put(ctx, chunkKey(hash), bytes.NewReader(packed), int64(len(packed))); err != nil {
		return fmt.Errorf("snapshot: upload chunk %s: %w", hash, err)
	}
	return nil
}

// CorruptChunkError names a chunk whose bytes are not what its name says:
// truncated, damaged, or missing.
type CorruptChunkError struct {
	Hash string
	// File and Offset say where the chunk belongs.
	File   string
	Offset int64
	Why    string
}

func (e *CorruptChunkError) Error() string {
	return fmt.Sprintf("chunk %s (%s at offset %d) is %s", e.Hash, e.File, e.Offset, e.Why)
}

// maxPacked is more than any chunk takes compressed: zstd grows what it
// cannot compress by a few bytes per block.
const maxPacked = ChunkSize + ChunkSize/8

// fetchChunk downloads chunk c into w.packed, decompresses it into w.raw,
// checks it, and returns the chunk's bytes. A chunk the store does not
// have, or whose bytes are wrong, gives a *CorruptChunkError; a store that
// cannot be reached gives another error, which says nothing of the chunk.
func (w *chunkWorker) fetchChunk(ctx context.Context, s Store, c Chunk, file string, offset int64) ([]byte, error) {
	bad := func(why string) error { return &CorruptChunkError{Hash: c.Hash, File: file, Offset: offset, Why: why} }
	r, err := s.Get(ctx, chunkKey(c.Hash))
	if errors.Is(err, ErrNotFound) {
		return nil, bad("missing")
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot: fetch chunk %s: %w", c.Hash, err)
	}
	packed := bytes.NewBuffer(w.packed[:0])
	_, err = packed.ReadFrom(io.LimitReader(r, maxPacked+1))
	r.Close()
	w.packed = packed.Bytes()[:0] // kept, grown if it had to be, for the next chunk
	switch {
	case err != nil:
		return nil, fmt.Errorf("snapshot: fetch chunk %s: %w", c.Hash, err)
	case packed.Len() > maxPacked:
		return nil, bad(fmt.Sprintf("larger than any chunk (over %d bytes)", maxPacked))
	}
	raw, err := w.dec.DecodeAll(packed.Bytes(), w.raw[:0])
	if err != nil {
		return nil, bad(fmt.Sprintf("truncated or damaged (%v)", err))
	}
	if int64(len(raw)) != c.Size {
		return nil, bad(fmt.Sprintf("%d bytes, not %d", len(raw), c.Size))
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != c.Hash {
		return nil, bad("damaged (its SHA-256 differs)")
	}
	return raw, nil
}
