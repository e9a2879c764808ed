package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// RestoreOptions say which snapshot to restore, from where, to where.
type RestoreOptions struct {
	Store           Store
	Dir             string
	Network, Client string
	// ID is the snapshot; empty means the latest of Network and Client.
	ID       string
	Parallel int // default 4
	// Progress, if set, is told the bytes written and to write after each
	// chunk, by one goroutine at a time.
	Progress func(Progress)
}

// journalName is the restore's record, in the temporary directory, of the
// snapshot it restores and the files already written and synced.
const journalName = ".ethfleet-restore"

// Restore writes a snapshot into opts.Dir, which must not exist or be
// empty. It writes into a temporary directory beside it, checks every
// chunk against its hash, syncs every file and directory, and only then
// renames it into place: a client never starts on a half-written data
// directory. An interrupted restore resumes where it stopped when run
// again for the same snapshot.
func Restore(ctx context.Context, opts RestoreOptions) (*Manifest, error) {
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	m, err := LoadManifest(ctx, opts.Store, opts.Network, opts.Client, opts.ID)
	if err != nil {
		return nil, err
	}
	if err := mustBeEmpty(opts.Dir); err != nil {
		return nil, err
	}
	r := &restorer{opts: opts, m: m, tmp: filepath.Clean(opts.Dir) + ".restoring"}
	if err := r.prepare(); err != nil {
		return nil, err
	}
	tasks := r.plan()
	if err := r.run(ctx, tasks); err != nil {
		return nil, fmt.Errorf("snapshot: restore %s into %s stopped (run it again to resume): %w", m.ID, r.tmp, err)
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return m, nil
}

// mustBeEmpty fails unless dir is missing or an empty directory.
func mustBeEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("snapshot: restore into %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("snapshot: restore into %s: the directory is not empty; a restore never overwrites a data directory", dir)
	}
	return nil
}

type restorer struct {
	opts    RestoreOptions
	m       *Manifest
	tmp     string
	done    map[string]bool // files written and synced before
	journal *os.File
	total   int64

	mu        sync.Mutex // guards the journal and Progress calls
	written   atomic.Int64
	remaining []atomic.Int32 // chunks still to write, per file
	toSync    chan int       // files whose every chunk is written
}

// prepare opens the temporary directory: the one a previous attempt left
// for the same snapshot, or a fresh one.
func (r *restorer) prepare() error {
	r.done = map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(r.tmp, journalName)); err == nil {
		// Only whole lines count: a crash may have cut the last one short.
		lines := strings.Split(string(b), "\n")
		lines = lines[:len(lines)-1]
		if len(lines) > 0 && lines[0] == "snapshot "+r.m.ID {
			for _, line := range lines[1:] {
				if path, ok := strings.CutPrefix(line, "done "); ok {
					r.done[path] = true
				}
			}
		}
	}
	if len(r.done) == 0 {
		if err := os.RemoveAll(r.tmp); err != nil {
			return fmt.Errorf("snapshot: restore: %w", err)
		}
	}
	if err := os.MkdirAll(r.tmp, 0o755); err != nil {
		return fmt.Errorf("snapshot: restore: %w", err)
	}
	j, err := os.OpenFile(filepath.Join(r.tmp, journalName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("snapshot: restore: %w", err)
	}
	r.journal = j
	if len(r.done) == 0 {
		fmt.Fprintf(j, "snapshot %s\n", r.m.ID)
	}
	for _, f := range r.m.Files {
		if f.Mode.IsDir() {
			if err := os.MkdirAll(r.path(f.Path), f.Mode.Perm()|0o700); err != nil {
				return fmt.Errorf("snapshot: restore: %w", err)
			}
		}
	}
	return nil
}

func (r *restorer) path(rel string) string { return filepath.Join(r.tmp, filepath.FromSlash(rel)) }

// plan creates every file still to write at its size and returns its
// chunks as tasks.
func (r *restorer) plan() []chunkTask {
	var tasks []chunkTask
	r.remaining = make([]atomic.Int32, len(r.m.Files))
	for i, f := range r.m.Files {
		if !f.Mode.IsRegular() || r.done[f.Path] {
			continue
		}
		r.remaining[i].Store(int32(len(f.Chunks)))
		var off int64
		for k, c := range f.Chunks {
			tasks = append(tasks, chunkTask{file: i, chunk: k, offset: off, size: c.Size})
			off += c.Size
		}
		r.total += f.Size
	}
	return tasks
}

func (r *restorer) run(ctx context.Context, tasks []chunkTask) error {
	// Files are created (empty, at their size) before any chunk is written.
	for i, f := range r.m.Files {
		if f.Mode.IsRegular() && !r.done[f.Path] {
			if err := r.create(i); err != nil {
				return err
			}
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	next := make(chan chunkTask)
	g.Go(func() error {
		defer close(next)
		for _, t := range tasks {
			select {
			case next <- t:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	// Written files are synced by goroutines of their own, so that the
	// workers go on fetching and writing while the disk catches up. The
	// channel holds every file, so a worker never waits to hand one over.
	r.toSync = make(chan int, len(r.m.Files))
	for range r.opts.Parallel {
		g.Go(func() error {
			for i := range r.toSync {
				if err := r.fileDone(i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var workers sync.WaitGroup
	for range r.opts.Parallel {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			w, err := newChunkWorker()
			if err != nil {
				return err
			}
			defer w.close()
			for t := range next {
				if err := r.write(ctx, w, t); err != nil {
					return err
				}
			}
			return nil
		})
	}
	go func() {
		workers.Wait()
		close(r.toSync)
	}()
	return g.Wait()
}

// create makes file i empty at its size; a file without chunks is done.
func (r *restorer) create(i int) error {
	f := r.m.Files[i]
	file, err := os.OpenFile(r.path(f.Path), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, f.Mode.Perm())
	if err == nil {
		err = file.Truncate(f.Size)
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("snapshot: restore %s: %w", f.Path, err)
	}
	if len(f.Chunks) == 0 {
		return r.fileDone(i)
	}
	return nil
}

// write fetches one chunk, checks it and writes it in place.
func (r *restorer) write(ctx context.Context, w *chunkWorker, t chunkTask) error {
	f := r.m.Files[t.file]
	data, err := w.fetchChunk(ctx, r.opts.Store, f.Chunks[t.chunk], f.Path, t.offset)
	if err != nil {
		return err
	}
	file, err := os.OpenFile(r.path(f.Path), os.O_WRONLY, 0)
	if err == nil {
		_, err = file.WriteAt(data, t.offset)
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("snapshot: restore %s: %w", f.Path, err)
	}
	r.written.Add(t.size)
	if r.opts.Progress != nil {
		r.mu.Lock()
		r.opts.Progress(Progress{Done: r.written.Load(), Total: r.total})
		r.mu.Unlock()
	}
	if r.remaining[t.file].Add(-1) == 0 {
		r.toSync <- t.file
	}
	return nil
}

// fileDone syncs a written file, gives it its time, and records it in the
// journal. The journal itself is not synced: a line is written only once
// its file is on disk, so every line that survives a crash is true, and a
// line lost to one costs writing that file again.
func (r *restorer) fileDone(i int) error {
	f := r.m.Files[i]
	path := r.path(f.Path)
	os.Chtimes(path, f.ModTime, f.ModTime)
	if err := syncFile(path); err != nil {
		return fmt.Errorf("snapshot: restore %s: %w", f.Path, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := fmt.Fprintf(r.journal, "done %s\n", f.Path); err != nil {
		return fmt.Errorf("snapshot: restore journal: %w", err)
	}
	return nil
}

// finish syncs the directories, drops the journal and renames the
// temporary directory into place.
func (r *restorer) finish() error {
	r.journal.Close()
	if err := os.Remove(filepath.Join(r.tmp, journalName)); err != nil {
		return fmt.Errorf("snapshot: restore: %w", err)
	}
	err := filepath.WalkDir(r.tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return syncFile(path)
	})
	if err != nil {
		return fmt.Errorf("snapshot: restore: sync: %w", err)
	}
	os.Remove(r.opts.Dir) // an empty directory, if there is one
	if err := os.Rename(r.tmp, r.opts.Dir); err != nil {
		return fmt.Errorf("snapshot: restore: %w", err)
	}
	return syncFile(filepath.Dir(filepath.Clean(r.opts.Dir)))
}

// syncFile flushes a file or directory to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
