package snapshot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CreateOptions say what to snapshot and where to.
type CreateOptions struct {
	Store Store
	// Dir is the data directory, of a client that is stopped: a running
	// client changes files while they are read.
	Dir                            string
	Network, Client, ClientVersion string
	Head                           Head
	// IndexPath is the local index (default DefaultIndexPath(Dir)); "-"
	// keeps none.
	IndexPath string
	// Parallel is how many chunks are read, compressed and uploaded at
	// once (default 4); memory is about 2 chunks per worker.
	Parallel int
	// Progress, if set, is told the bytes done and to do after each chunk,
	// by one goroutine at a time.
	Progress func(Progress)
}

// Progress is how far a create or restore has come.
type Progress struct {
	Done, Total int64 // bytes read (create) or written (restore)
	Uploaded    int64 // compressed bytes sent to the store (create)
}

// skipped are what a snapshot leaves out: files of ours, and what belongs
// to one node rather than to the chain. A node restored from a snapshot
// must not share the node key (its devp2p identity) or the engine API
// secret of the node it was taken from, nor carry its keystore, peer
// database or local transaction journal.
func skipped(rel string) bool {
	rel = filepath.ToSlash(rel)
	base := path.Base(rel)
	if strings.HasPrefix(base, ".ethfleet-") || strings.HasPrefix(base, "jwtsecret") || strings.HasSuffix(rel, ".ipc") {
		return true
	}
	switch rel {
	case "geth/nodekey", "geth/nodes", "geth/transactions.rlp", "geth/blobpool", "keystore":
		return true
	}
	return false
}

// chunkTask is one chunk of one file to read and, if new, upload.
type chunkTask struct {
	file   int
	chunk  int
	offset int64
	size   int64
	// check says the chunk was kept from the previous snapshot of an
	// append-only file: it is read to check it has not changed.
	check bool
}

// Create takes a snapshot of opts.Dir and writes it to the store: the new
// chunks first, then the manifest, then the latest pointer. A snapshot
// whose manifest was not written does not exist.
func Create(ctx context.Context, opts CreateOptions) (*Manifest, error) {
	if opts.Network == "" || opts.Client == "" {
		return nil, errors.New("snapshot: create: network and client are required")
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	indexPath := opts.IndexPath
	switch indexPath {
	case "":
		indexPath = DefaultIndexPath(opts.Dir)
	case "-":
		indexPath = ""
	}
	// A data directory reached through a symbolic link is the one it
	// points to (walking the link itself would find nothing in it).
	dir, err := filepath.EvalSymlinks(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	opts.Dir = dir
	m := &Manifest{Version: manifestVersion, ID: newID(), Network: opts.Network, Client: opts.Client,
		ClientVersion: opts.ClientVersion, Head: opts.Head, Created: time.Now().UTC()}
	// The lock goes up before the look for a prune, as Prune does it the
	// other way round: of a create and a prune that start together, at
	// least one sees the other.
	release, err := takeLock(ctx, opts.Store, lockInfo{Kind: "create", ID: m.ID})
	if err != nil {
		return nil, err
	}
	defer release()
	if locks, err := liveLocks(ctx, opts.Store, "prune", ""); err != nil {
		return nil, err
	} else if len(locks) > 0 {
		return nil, fmt.Errorf("snapshot: %s is being pruned (since %s by %s); try again when it is done", opts.Store, locks[0].Started.Format(time.RFC3339), locks[0].Host)
	}

	old, err := loadIndex(indexPath)
	if err != nil {
		return nil, err
	}
	c := &creator{opts: opts, m: m, old: old, idx: &index{Files: map[string]indexEntry{}}, uploading: map[string]bool{}, rewound: map[int]bool{}}
	if err := c.listStored(ctx); err != nil {
		return nil, err
	}
	tasks, err := c.plan()
	if err != nil {
		return nil, err
	}
	// The kept chunks of grown append-only files are checked first, so
	// that a file rewound after all is read once, whole.
	if err := c.run(ctx, c.checks); err != nil {
		return nil, err
	}
	if err := c.run(ctx, c.afterChecks(tasks)); err != nil {
		return nil, err
	}
	for i, f := range m.Files {
		if f.Mode.IsRegular() {
			c.idx.Files[f.Path] = indexEntry{Size: f.Size, ModTime: c.modTimes[i], Inode: c.inodes[i], Chunks: f.Chunks}
			m.Totals.Files++
			m.Totals.Bytes += f.Size
			m.Totals.Chunks += len(f.Chunks)
		}
	}
	m.Totals.NewChunks, m.Totals.Uploaded, m.Totals.Read = int(c.newChunks.Load()), c.uploaded.Load(), c.read.Load()
	if err := putJSON(ctx, opts.Store, manifestKey(m.Network, m.Client, m.ID), m); err != nil {
		return nil, fmt.Errorf("snapshot: manifest: %w", err)
	}
	if err := opts.Store.Put(ctx, latestKey(m.Network, m.Client), strings.NewReader(m.ID), int64(len(m.ID))); err != nil {
		return nil, fmt.Errorf("snapshot: latest: %w", err)
	}
	if err := c.idx.save(indexPath); err != nil {
		return nil, err
	}
	return m, nil
}

// newID is a snapshot id that sorts by time.
func newID() string {
	var b [3]byte
	rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// creator holds the state of one Create.
type creator struct {
	opts     CreateOptions
	m        *Manifest
	old, idx *index
	modTimes []int64
	inodes   []uint64
	total    int64 // bytes to read

	checks  []chunkTask  // kept chunks of append-only files, to read again
	rewound map[int]bool // files whose kept chunks changed after all

	mu        sync.Mutex
	stored    map[string]bool // chunks in the store
	uploading map[string]bool // chunks a worker is uploading now

	read, uploaded, newChunks atomic.Int64
}

// listStored learns which chunks the store holds.
func (c *creator) listStored(ctx context.Context) error {
	c.stored = map[string]bool{}
	return c.opts.Store.List(ctx, "chunks/", func(o Object) error {
		c.stored[o.Key[strings.LastIndex(o.Key, "/")+1:]] = true
		return nil
	})
}

// plan walks the data directory into the manifest's files and returns the
// chunks to read: those of files the index does not know unchanged, and
// those of known files that the store has lost.
func (c *creator) plan() ([]chunkTask, error) {
	var tasks []chunkTask
	err := filepath.WalkDir(c.opts.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(c.opts.Dir, path)
		if err != nil || rel == "." {
			return err
		}
		if skipped(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			return fmt.Errorf("%s is a symbolic link (to %s): a snapshot holds the data directory's own files, and leaving it out would make one the client cannot start from", rel, target)
		}
		if !info.IsDir() && !info.Mode().IsRegular() {
			return nil // sockets (geth.ipc) and the like
		}
		f := File{Path: filepath.ToSlash(rel), Mode: info.Mode(), ModTime: info.ModTime().UTC()}
		e := entryOf(info)
		c.m.Files = append(c.m.Files, f)
		c.modTimes = append(c.modTimes, e.ModTime)
		c.inodes = append(c.inodes, e.Inode)
		if info.IsDir() {
			return nil
		}
		i := len(c.m.Files) - 1
		c.m.Files[i].Size = info.Size()
		tasks = append(tasks, c.planFile(i, e)...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: %s: %w", c.opts.Dir, err)
	}
	if !slices.ContainsFunc(c.m.Files, func(f File) bool { return f.Mode.IsRegular() }) {
		return nil, fmt.Errorf("snapshot: %s holds no files: nothing to snapshot (is it the client's data directory?)", c.opts.Dir)
	}
	return tasks, nil
}

// planFile fills file i's chunks with what the index knows and returns
// tasks for the rest.
func (c *creator) planFile(i int, now indexEntry) []chunkTask {
	f := &c.m.Files[i]
	f.Chunks = nil
	if prev, ok := c.old.Files[f.Path]; ok && prev.Inode == now.Inode && sizeOf(prev.Chunks) == prev.Size {
		switch {
		case prev.Size == now.Size && prev.ModTime == now.ModTime:
			f.Chunks = slices.Clone(prev.Chunks)
		case appendOnly(f.Path) && now.Size >= prev.Size && len(prev.Chunks) > 0:
			var keep int
			f.Chunks, keep = appendLayout(prev.Chunks, now.Size)
			c.checkKept(i, keep)
		}
	}
	if f.Chunks == nil {
		f.Chunks = splitChunks(0, f.Size)
	}
	return c.tasksFor(i)
}

// tasksFor returns tasks for the chunks of file i that are to be read:
// those without a hash yet, and those the store has lost.
func (c *creator) tasksFor(i int) []chunkTask {
	var tasks []chunkTask
	var off int64
	for k, ch := range c.m.Files[i].Chunks {
		if ch.Hash == "" || !c.stored[ch.Hash] {
			tasks = append(tasks, chunkTask{file: i, chunk: k, offset: off, size: ch.Size})
			c.total += ch.Size
		}
		off += ch.Size
	}
	return tasks
}

// run reads, hashes and uploads the tasks' chunks, opts.Parallel at once.
func (c *creator) run(ctx context.Context, tasks []chunkTask) error {
	return forEach(ctx, c.opts.Parallel, tasks, c.do)
}

// do reads one chunk, names it and uploads it unless the store has it.
func (c *creator) do(ctx context.Context, w *chunkWorker, t chunkTask) error {
	f := &c.m.Files[t.file]
	buf := w.raw[:t.size]
	if err := readAt(filepath.Join(c.opts.Dir, filepath.FromSlash(f.Path)), buf, t.offset); err != nil {
		return fmt.Errorf("snapshot: %s: %w", f.Path, err)
	}
	sum := sha256.Sum256(buf)
	hash := hex.EncodeToString(sum[:])
	c.read.Add(t.size)
	if t.check && f.Chunks[t.chunk].Hash != hash {
		c.mu.Lock()
		c.rewound[t.file] = true
		c.mu.Unlock()
		return nil
	}
	f.Chunks[t.chunk] = Chunk{Hash: hash, Size: t.size}
	c.mu.Lock()
	upload := !c.stored[hash] && !c.uploading[hash]
	if upload {
		c.uploading[hash] = true
	}
	c.mu.Unlock()
	if upload {
		packed := w.enc.EncodeAll(buf, w.packed[:0])
		if err := putChunk(ctx, c.opts.Store, hash, packed); err != nil {
			return err
		}
		c.mu.Lock()
		c.stored[hash] = true
		c.mu.Unlock()
		c.newChunks.Add(1)
		c.uploaded.Add(int64(len(packed)))
	}
	if c.opts.Progress != nil {
		c.mu.Lock()
		c.opts.Progress(Progress{Done: c.read.Load(), Total: c.total, Uploaded: c.uploaded.Load()})
		c.mu.Unlock()
	}
	return nil
}

func readAt(path string, buf []byte, off int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("changed while read (shorter than %d bytes): is the client still running?", off+int64(len(buf)))
		}
		return err
	}
	return nil
}
