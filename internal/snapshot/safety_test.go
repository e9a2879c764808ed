package snapshot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadManifests: a manifest that would have a restore write outside its
// directory, or more or other than its chunks hold, is refused before
// anything is written.
func TestBadManifests(t *testing.T) {
	ctx := context.Background()
	hash := strings.Repeat("ab", 32)
	file := func(path string, size int64, chunks ...Chunk) File {
		return File{Path: path, Mode: 0o644, Size: size, Chunks: chunks}
	}
	tests := []struct {
		name string
		file File
		want string
	}{
		{"parent", file("../escape", 1, Chunk{hash, 1}), `file "../escape": not a path inside`},
		{"parent inside", file("geth/../../escape", 1, Chunk{hash, 1}), "not a path inside"},
		{"absolute", file("/etc/passwd", 1, Chunk{hash, 1}), "not a path inside"},
		{"the directory itself", file(".", 0), "not a path inside"},
		{"symbolic link", File{Path: "link", Mode: fs.ModeSymlink | 0o777}, "neither a file nor a directory"},
		{"short hash", file("a", 1, Chunk{"abcd", 1}), `"abcd" is not a SHA-256`},
		{"hash with a path", file("a", 1, Chunk{"../../" + hash[6:], 1}), "is not a SHA-256"},
		{"chunk too big", file("a", ChunkSize+1, Chunk{hash, ChunkSize + 1}), "size 4194305 is not between 1"},
		{"empty chunk", file("a", 0, Chunk{hash, 0}), "size 0 is not between 1"},
		{"chunks short of the size", file("a", 10, Chunk{hash, 4}), "add up to 4 bytes, not its size 10"},
		{"chunks past the size", file("a", 1, Chunk{hash, 4}), "add up to 4 bytes, not its size 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewMemStore()
			m := Manifest{Version: manifestVersion, ID: "m1", Network: "devnet", Client: "geth",
				Files: []File{file("ok", 1, Chunk{hash, 1}), tt.file}}
			putJSON(ctx, s, manifestKey("devnet", "geth", "m1"), m)
			root := t.TempDir()
			target := filepath.Join(root, "a", "restored")
			_, err := Restore(ctx, RestoreOptions{Store: s, Dir: target, Network: "devnet", Client: "geth", ID: "m1"})
			if err == nil || !strings.Contains(err.Error(), "manifest m1 is damaged") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("restore: %v; want %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(root); len(entries) != 0 {
				t.Errorf("a refused restore wrote %v", entries)
			}
		})
	}
	t.Run("listed twice", func(t *testing.T) {
		m := Manifest{Files: []File{file("a", 1, Chunk{hash, 1}), {Path: "a", Mode: fs.ModeDir | 0o755}}}
		if err := m.check(); err == nil || !strings.Contains(err.Error(), `"a": listed twice`) {
			t.Errorf("check: %v", err)
		}
	})
	t.Run("bad ids", func(t *testing.T) {
		s := NewMemStore()
		for _, id := range []string{"../x", "a/b", ".", "x\\y"} {
			if _, err := LoadManifest(ctx, s, "devnet", "geth", id); err == nil || !strings.Contains(err.Error(), "is not a snapshot id") {
				t.Errorf("LoadManifest(%q): %v", id, err)
			}
		}
		s.Put(ctx, latestKey("devnet", "geth"), strings.NewReader("../../x\n"), -1)
		if _, err := LoadManifest(ctx, s, "devnet", "geth", ""); err == nil || !strings.Contains(err.Error(), "is not a snapshot id") {
			t.Errorf("a latest naming ../../x: %v", err)
		}
	})
}

// TestCreateRefuses: a data directory a snapshot could not be whole of is
// refused with the reason; one reached through a link is snapshotted.
func TestCreateRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(dir string)
		want  string
	}{
		{"a link inside", func(dir string) {
			os.MkdirAll(filepath.Join(dir, "geth"), 0o755)
			os.WriteFile(filepath.Join(dir, "elsewhere"), []byte("x"), 0o644)
			os.Symlink("/mnt/big/ancient", filepath.Join(dir, "geth", "ancient"))
		}, "geth/ancient is a symbolic link (to /mnt/big/ancient)"},
		{"nothing in it", func(dir string) { os.MkdirAll(filepath.Join(dir, "geth", "chaindata"), 0o755) }, "holds no files: nothing to snapshot"},
		{"missing", func(string) {}, "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			tt.setup(dir)
			s := NewMemStore()
			_, err := Create(ctx, CreateOptions{Store: s, Dir: dir, Network: "devnet", Client: "geth"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("create: %v; want %q", err, tt.want)
			}
			if ms, _ := List(ctx, s, "", ""); len(ms) != 0 {
				t.Errorf("a refused create stored %d manifests", len(ms))
			}
		})
	}
	t.Run("reached through a link", func(t *testing.T) {
		dir := dataDir(t)
		link := filepath.Join(t.TempDir(), "datadir")
		os.Symlink(dir, link)
		s := NewMemStore()
		m, err := Create(ctx, CreateOptions{Store: s, Dir: link, Network: "devnet", Client: "geth"})
		if err != nil || m.Totals.Files != 5 {
			t.Fatalf("create through a link: %v, %+v", err, m)
		}
	})
}

// TestRestoreTargets: a restore into a link fills the directory it points
// to and keeps the link; a lost+found does not make a directory full; a
// mount point, which restore refuses, is told from a directory.
func TestRestoreTargets(t *testing.T) {
	ctx := context.Background()
	s := NewMemStore()
	dir := dataDir(t)
	create(t, s, dir)

	big := filepath.Join(t.TempDir(), "big")
	os.Mkdir(big, 0o755)
	link := filepath.Join(t.TempDir(), "datadir")
	os.Symlink(big, link)
	if _, err := Restore(ctx, RestoreOptions{Store: s, Dir: link, Network: "devnet", Client: "geth"}); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", info.Mode(), err)
	}
	sameTree(t, dir, big)

	fresh := t.TempDir()
	os.Mkdir(filepath.Join(fresh, "lost+found"), 0o700)
	if empty, err := Empty(fresh); !empty || err != nil {
		t.Errorf("Empty(a new file system) = %v, %v", empty, err)
	}
	for dir, want := range map[string]bool{"/proc": true, t.TempDir(): false} {
		if got, err := mountPoint(dir); err != nil || got != want {
			t.Errorf("mountPoint(%s) = %v, %v; want %v", dir, got, err, want)
		}
	}
}

// TestRestoreModes: files and directories get their modes, even those that
// forbid writing them.
func TestRestoreModes(t *testing.T) {
	s := NewMemStore()
	dir := dataDir(t)
	writeFile(t, filepath.Join(dir, "geth/readonly/frozen"), 100, 30)
	os.Chmod(filepath.Join(dir, "geth/readonly/frozen"), 0o400)
	os.Chmod(filepath.Join(dir, "geth/readonly"), 0o500)
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "geth/readonly"), 0o755) })
	create(t, s, dir)
	target := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(context.Background(), RestoreOptions{Store: s, Dir: target, Network: "devnet", Client: "geth"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(target, "geth/readonly"), 0o755) })
	sameTree(t, dir, target)
}

// TestRestoreResumesItsSnapshot: an interrupted restore, run again after a
// newer snapshot was taken, finishes the one it began.
func TestRestoreResumesItsSnapshot(t *testing.T) {
	ctx := context.Background()
	mem := NewMemStore()
	dir := dataDir(t)
	first := create(t, mem, dir)
	target := filepath.Join(t.TempDir(), "restored")
	broken := &countingStore{Store: mem, failAt: 4, failErr: errors.New("connection reset")}
	if _, err := Restore(ctx, RestoreOptions{Store: broken, Dir: target, Network: "devnet", Client: "geth", Parallel: 1}); err == nil {
		t.Fatal("the interrupted restore succeeded")
	}
	writeFile(t, filepath.Join(dir, "geth/chaindata/000009.sst"), 1000, 40)
	second := create(t, mem, dir)
	if second.ID == first.ID {
		t.Fatal("one id for two snapshots")
	}
	got, err := Restore(ctx, RestoreOptions{Store: mem, Dir: target, Network: "devnet", Client: "geth"})
	if err != nil || got.ID != first.ID {
		t.Fatalf("the resumed restore: %v, %v; want %s", got, err, first.ID)
	}
	// The restore's lock is gone with it: a prune may take the first now.
	if locks, err := liveLocks(ctx, mem, "restore", ""); err != nil || len(locks) != 0 {
		t.Errorf("locks left: %v, %v", locks, err)
	}
}

// TestFetchErrors: a store that cannot be reached is not a corrupt chunk,
// and a chunk larger than any is not read whole.
func TestFetchErrors(t *testing.T) {
	ctx := context.Background()
	mem := NewMemStore()
	m := create(t, mem, dataDir(t))
	down := &countingStore{Store: mem, failAt: 1, failErr: errors.New("dial tcp 127.0.0.1:9: connection refused")}
	_, err := Verify(ctx, down, "devnet", "geth", "", 2, nil)
	var verr *VerifyError
	if err == nil || errors.As(err, &verr) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("verify against a store that is down: %v; want its error, not bad chunks", err)
	}
	hash := m.Files[fileIndex(m, "000002.sst")].Chunks[0].Hash
	huge := bytes.Repeat([]byte{1}, maxPacked+10)
	mem.Put(ctx, chunkKey(hash), bytes.NewReader(huge), int64(len(huge)))
	_, err = Verify(ctx, mem, "devnet", "geth", "", 2, nil)
	if !errors.As(err, &verr) || len(verr.Bad) != 1 || !strings.Contains(err.Error(), "larger than any chunk") {
		t.Errorf("verify with an oversized chunk: %v", err)
	}
}

// TestFileStoreDurable: objects are readable by all, like a bucket's, and
// no temporary file is left.
func TestFileStoreDurable(t *testing.T) {
	dir := t.TempDir()
	s, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), "chunks/ab/abc", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "chunks/ab/abc"))
	if err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("object mode %v, %v; want -rw-r--r--", info.Mode(), err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "chunks/ab")); len(entries) != 1 {
		t.Errorf("left %v", entries)
	}
}

// cancelStore cancels a context at the first chunk uploaded, as a signal
// to the command would.
type cancelStore struct {
	Store
	cancel context.CancelFunc
}

func (c *cancelStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if strings.HasPrefix(key, "chunks/") {
		c.cancel()
	}
	return c.Store.Put(ctx, key, r, size)
}

// TestCreateInterrupted: a create stopped midway says so, stores no
// manifest and lifts its lock, so that a prune need not wait for it to go
// stale.
func TestCreateInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &cancelStore{Store: NewMemStore(), cancel: cancel}
	_, err := Create(ctx, CreateOptions{Store: s, Dir: dataDir(t), Network: "devnet", Client: "geth"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("create: %v; want it canceled", err)
	}
	if locks, err := liveLocks(context.Background(), s, "create", ""); err != nil || len(locks) != 0 {
		t.Errorf("locks left: %v, %v", locks, err)
	}
	if ms, _ := List(context.Background(), s, "", ""); len(ms) != 0 {
		t.Errorf("an interrupted create stored %d manifests", len(ms))
	}
}

// readOnlyStore refuses every write, as a bucket a node may only read.
type readOnlyStore struct{ Store }

func (readOnlyStore) Put(context.Context, string, io.Reader, int64) error {
	return errors.New("AccessDenied: s3:PutObject")
}

// TestRestoreFromAReadOnlyStore: a node whose credentials may only read
// the store still restores, without the lock, and is told so.
func TestRestoreFromAReadOnlyStore(t *testing.T) {
	mem := NewMemStore()
	dir := dataDir(t)
	create(t, mem, dir)
	var warned error
	target := filepath.Join(t.TempDir(), "restored")
	_, err := Restore(context.Background(), RestoreOptions{Store: readOnlyStore{mem}, Dir: target, Network: "devnet", Client: "geth",
		Unlocked: func(err error) { warned = err }})
	if err != nil {
		t.Fatal(err)
	}
	if warned == nil || !strings.Contains(warned.Error(), "AccessDenied") {
		t.Errorf("Unlocked told %v", warned)
	}
	sameTree(t, dir, target)
}
