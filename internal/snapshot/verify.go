package snapshot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// VerifyError lists the chunks of a snapshot that are missing, truncated
// or damaged.
type VerifyError struct {
	ID  string
	Bad []*CorruptChunkError
}

func (e *VerifyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "snapshot %s: %d bad chunks", e.ID, len(e.Bad))
	for i, c := range e.Bad {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(e.Bad)-i)
			break
		}
		b.WriteString("; " + c.Error())
	}
	return b.String()
}

// Verify downloads every chunk of a snapshot (the latest of network and
// client when id is empty) and checks it against its hash. It returns the
// manifest, and a *VerifyError naming every bad chunk.
func Verify(ctx context.Context, s Store, network, client, id string, parallel int, progress func(Progress)) (*Manifest, error) {
	if parallel <= 0 {
		parallel = 4
	}
	m, err := LoadManifest(ctx, s, network, client, id)
	if err != nil {
		return nil, err
	}
	type where struct {
		c    Chunk
		file string
		off  int64
	}
	var chunks []where
	seen := map[string]bool{}
	var total int64
	for _, f := range m.Files {
		var off int64
		for _, c := range f.Chunks {
			if !seen[c.Hash] {
				seen[c.Hash] = true
				chunks = append(chunks, where{c, f.Path, off})
				total += c.Size
			}
			off += c.Size
		}
	}
	var (
		mu   sync.Mutex
		bad  []*CorruptChunkError
		done atomic.Int64
	)
	err = forEach(ctx, parallel, chunks, func(ctx context.Context, w *chunkWorker, c where) error {
		_, err := w.fetchChunk(ctx, s, c.c, c.file, c.off)
		var corrupt *CorruptChunkError
		switch {
		case errors.As(err, &corrupt):
			mu.Lock()
			bad = append(bad, corrupt)
			mu.Unlock()
		case err != nil:
			return err
		}
		if progress != nil {
			mu.Lock()
			progress(Progress{Done: done.Add(c.c.Size), Total: total})
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		return m, &VerifyError{ID: m.ID, Bad: bad}
	}
	return m, nil
}
