package snapshot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
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
	// Unlocked, if set, is told when the restore could not lock its
	// snapshot against a prune (credentials that may only read the store)
	// and goes on without: a prune may then delete the snapshot midway,
	// and the restore fails, to be run again.
	Unlocked func(error)
}

// Restore writes a snapshot into opts.Dir, which must not exist or be
// empty. It writes into a temporary directory beside it, checks every
// chunk against its hash, syncs every file and directory, and only then
// renames it into place: a client never starts on a half-written data
// directory. An interrupted restore resumes where it stopped when run
// again for the same snapshot: from its last checkpoint (see syncJournal)
// after a crash, from where it failed after an error.
func Restore(ctx context.Context, opts RestoreOptions) (*Manifest, error) {
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	dir, err := restoreTarget(opts.Dir)
	if err != nil {
		return nil, err
	}
	opts.Dir = dir
	r := &restorer{opts: opts, tmp: dir + ".restoring"}
	release, err := r.claim(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := r.prepare(); err != nil {
		return nil, err
	}
	defer r.journal.Close()
	tasks := r.plan()
	if err := r.run(ctx, tasks); err != nil {
		return nil, fmt.Errorf("snapshot: restore %s into %s stopped (run it again to resume): %w", r.m.ID, r.tmp, err)
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return r.m, nil
}

type restorer struct {
	opts    RestoreOptions
	m       *Manifest
	tmp     string
	done    map[string]bool // files written and synced before
	journal *os.File
	synced  *syncJournal
	total   int64

	mu        sync.Mutex // guards Progress calls
	written   atomic.Int64
	remaining []atomic.Int32 // chunks still to write, per file
	due       chan struct{}  // a checkpoint is due
}

// prepare opens the temporary directory: the one a previous attempt left
// for the same snapshot, or a fresh one.
func (r *restorer) prepare() error {
	r.done = readJournal(r.tmp, r.m)
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
	r.synced = &syncJournal{w: j, sync: func(paths []string) error { return syncFiles(r.tmp, paths) }}
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

func (r *restorer) run(ctx context.Context, tasks []chunkTask) (err error) {
	// Files are created (empty, at their size) before any chunk is written.
	for i, f := range r.m.Files {
		if f.Mode.IsRegular() && !r.done[f.Path] {
			if err := r.create(i); err != nil {
				return err
			}
		}
	}
	// A restore that fails keeps what it wrote, for the next to resume.
	defer func() {
		if err != nil {
			err = errors.Join(err, r.synced.checkpoint())
		}
	}()
	r.due = make(chan struct{}, 1)
	stop := make(chan struct{})
	checkpoints := make(chan error, 1)
	go func() { checkpoints <- r.checkpoints(stop) }()
	err = forEach(ctx, r.opts.Parallel, tasks, r.write)
	close(stop)
	return errors.Join(err, <-checkpoints)
}

// checkpoints runs a checkpoint whenever one is due, beside the workers,
// until stop is closed.
func (r *restorer) checkpoints(stop <-chan struct{}) error {
	for {
		select {
		case <-r.due:
			if err := r.synced.checkpoint(); err != nil {
				return err
			}
		case <-stop:
			return nil
		}
	}
}

// create makes file i empty at its size; a file without chunks is done.
func (r *restorer) create(i int) error {
	f := r.m.Files[i]
	// Written as the owner's alone; finish gives it its mode, which may
	// not let it be written.
	file, err := os.OpenFile(r.path(f.Path), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
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
		r.fileWritten(i)
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
	// The chunk's bytes start where w.raw does, at a page boundary, unless
	// the decoder had to grow the buffer.
	aligned := len(data) > 0 && &data[0] == &w.raw[0]
	if err := writeChunk(r.path(f.Path), data, t.offset, aligned); err != nil {
		return fmt.Errorf("snapshot: restore %s: %w", f.Path, err)
	}
	written := r.written.Add(t.size)
	if (written-t.size)/checkpointBytes != written/checkpointBytes {
		select {
		case r.due <- struct{}{}:
		default: // one is due already
		}
	}
	if r.opts.Progress != nil {
		r.mu.Lock()
		r.opts.Progress(Progress{Done: written, Total: r.total})
		r.mu.Unlock()
	}
	if r.remaining[t.file].Add(-1) == 0 {
		r.fileWritten(t.file)
	}
	return nil
}

// fileWritten gives a file whose every chunk is written its time, and
// hands it to the next checkpoint.
func (r *restorer) fileWritten(i int) {
	f := r.m.Files[i]
	os.Chtimes(r.path(f.Path), f.ModTime, f.ModTime)
	r.synced.written(f.Path)
}

// finish drops the journal, syncs the files and directories and renames
// the temporary directory into place.
func (r *restorer) finish() error {
	r.journal.Close()
	if err := os.Remove(filepath.Join(r.tmp, journalName)); err != nil {
		return fmt.Errorf("snapshot: restore: %w", err)
	}
	if err := r.chmod(); err != nil {
		return fmt.Errorf("snapshot: restore: %w", err)
	}
	if err := syncFiles(r.tmp, r.synced.pending); err != nil {
		return fmt.Errorf("snapshot: restore: sync: %w", err)
	}
	os.Remove(r.opts.Dir) // an empty directory, if there is one
	if err := os.Rename(r.tmp, r.opts.Dir); err != nil {
		return fmt.Errorf("snapshot: restore: %w", err)
	}
	if err := syncFile(filepath.Dir(filepath.Clean(r.opts.Dir))); err != nil {
		return fmt.Errorf("snapshot: restore: sync: %w", err)
	}
	return nil
}

// chmod gives every file and directory its mode, the directories last
// (and deepest first) as their mode may keep them from being written.
func (r *restorer) chmod() error {
	files := r.m.Files
	for i := range files {
		if f := files[i]; f.Mode.IsRegular() {
			if err := os.Chmod(r.path(f.Path), f.Mode.Perm()); err != nil {
				return err
			}
		}
	}
	for i := len(files) - 1; i >= 0; i-- {
		if f := files[i]; f.Mode.IsDir() {
			if err := os.Chmod(r.path(f.Path), f.Mode.Perm()); err != nil {
				return err
			}
		}
	}
	return nil
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
