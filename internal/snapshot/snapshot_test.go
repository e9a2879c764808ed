package snapshot

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// writeFile writes size pseudo-random bytes (seeded, so reproducible).
func writeFile(t *testing.T, path string, size int, seed uint64) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, randomBytes(size, seed), 0o644); err != nil {
		t.Fatal(err)
	}
}

// randomBytes returns size bytes that do not compress, the same for the
// same seed.
func randomBytes(size int, seed uint64) []byte {
	var key [32]byte
	key[0] = byte(seed)
	b := make([]byte, size)
	rand.NewChaCha8(key).Read(b)
	return b
}

// appendFile appends size pseudo-random bytes.
func appendFile(t *testing.T, path string, size int, seed uint64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(randomBytes(size, seed))
	f.Close()
}

// dataDir builds something shaped like a geth data directory.
func dataDir(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "geth-data")
	writeFile(t, filepath.Join(dir, "geth/chaindata/000001.sst"), 5<<20+123, 1)
	writeFile(t, filepath.Join(dir, "geth/chaindata/000002.sst"), 1000, 2)
	writeFile(t, filepath.Join(dir, "geth/chaindata/MANIFEST-000003"), 5000, 3)
	writeFile(t, filepath.Join(dir, "geth/chaindata/ancient/chain/bodies.0000.cdat"), 2*ChunkSize+77, 4)
	writeFile(t, filepath.Join(dir, "geth/nodekey"), 64, 5)
	writeFile(t, filepath.Join(dir, "geth/LOCK"), 0, 6)
	os.Chmod(filepath.Join(dir, "geth/nodekey"), 0o600)
	os.MkdirAll(filepath.Join(dir, "keystore"), 0o700)
	return dir
}

// sameTree fails unless b holds exactly a's files, bytes and modes.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	files := func(root string) map[string]string {
		out := map[string]string{}
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			rel, _ := filepath.Rel(root, path)
			if skipped(rel) {
				return nil
			}
			info, _ := d.Info()
			if d.IsDir() {
				out[rel] = "dir " + info.Mode().String()
				return nil
			}
			data, _ := os.ReadFile(path)
			out[rel] = info.Mode().String() + " " + string(data)
			return nil
		})
		return out
	}
	fa, fb := files(a), files(b)
	if len(fa) != len(fb) {
		t.Fatalf("%d entries restored, want %d", len(fb), len(fa))
	}
	for k, v := range fa {
		if fb[k] != v {
			t.Fatalf("%s differs after restore", k)
		}
	}
}

func create(t *testing.T, s Store, dir string) *Manifest {
	t.Helper()
	m, err := Create(context.Background(), CreateOptions{Store: s, Dir: dir, Network: "devnet", Client: "geth", Head: Head{Number: 7}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCreateRestore(t *testing.T) {
	s := NewMemStore()
	dir := dataDir(t)
	m := create(t, s, dir)
	if m.Totals.Files != 5 || m.Totals.Chunks != 2+1+1+3+0 || m.Totals.NewChunks != m.Totals.Chunks {
		t.Errorf("totals %+v", m.Totals)
	}
	target := filepath.Join(t.TempDir(), "restored")
	var last Progress // Progress is called by one goroutine at a time
	got, err := Restore(context.Background(), RestoreOptions{Store: s, Dir: target, Network: "devnet", Client: "geth", Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || last.Done != last.Total || last.Total != m.Totals.Bytes {
		t.Errorf("restored %s (progress %+v), want %s of %d bytes", got.ID, last, m.ID, m.Totals.Bytes)
	}
	sameTree(t, dir, target)
	for _, own := range []string{"geth/nodekey", "keystore"} {
		if _, err := os.Stat(filepath.Join(target, own)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s, which belongs to one node, was restored", own)
		}
	}
	if _, err := os.Stat(target + ".restoring"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the temporary directory is left: %v", err)
	}
	if _, err := Verify(context.Background(), s, "devnet", "geth", "", 2, nil); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

// TestIncremental: a second snapshot reads only what changed and uploads
// only new chunks; an append-only file rewritten at its start is caught.
func TestIncremental(t *testing.T) {
	s := NewMemStore()
	dir := dataDir(t)
	first := create(t, s, dir)
	cdat := filepath.Join(dir, "geth/chaindata/ancient/chain/bodies.0000.cdat")
	appendFile(t, cdat, 1000, 9)
	writeFile(t, filepath.Join(dir, "geth/chaindata/000004.sst"), 2000, 10)
	second := create(t, s, dir)
	// Read: the new table, the cdat's last chunks (a chunk's worth, read
	// again to check them) and the bytes appended to it.
	if want := int64(2000 + ChunkSize + 77 + 1000); second.Totals.Read != want {
		t.Errorf("second snapshot read %d bytes, want %d", second.Totals.Read, want)
	}
	if second.Totals.NewChunks != 2 || second.Totals.Uploaded*20 > first.Totals.Uploaded {
		t.Errorf("second snapshot uploaded %d chunks, %d bytes (first: %d bytes)", second.Totals.NewChunks, second.Totals.Uploaded, first.Totals.Uploaded)
	}
	// The freezer rewinds (truncates its tail) and appends other blocks,
	// past where it was: the last full chunk changed, and is caught.
	if err := os.Truncate(cdat, ChunkSize+ChunkSize/2); err != nil {
		t.Fatal(err)
	}
	appendFile(t, cdat, ChunkSize, 11)
	third := create(t, s, dir)
	// Read: the checked chunks (the last full one and the two small ones
	// after it), then the whole cdat again.
	if third.Totals.Read != ChunkSize+77+1000+2*ChunkSize+ChunkSize/2 {
		t.Errorf("after a rewind %d bytes were read, not the whole cdat", third.Totals.Read)
	}
	target := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(context.Background(), RestoreOptions{Store: s, Dir: target, Network: "devnet", Client: "geth"}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, dir, target)
}

// countingStore counts chunk downloads and can fail after a number.
type countingStore struct {
	Store
	gets    atomic.Int64
	failAt  int64
	failErr error
}

func (c *countingStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if strings.HasPrefix(key, "chunks/") {
		if n := c.gets.Add(1); c.failAt > 0 && n >= c.failAt {
			return nil, c.failErr
		}
	}
	return c.Store.Get(ctx, key)
}

// TestRestoreResumes interrupts a restore and runs it again: it finishes,
// fetching fewer chunks than a whole restore, and the result is whole.
func TestRestoreResumes(t *testing.T) {
	mem := NewMemStore()
	dir := dataDir(t)
	m := create(t, mem, dir)
	target := filepath.Join(t.TempDir(), "restored")
	broken := &countingStore{Store: mem, failAt: 6, failErr: errors.New("connection reset")}
	_, err := Restore(context.Background(), RestoreOptions{Store: broken, Dir: target, Network: "devnet", Client: "geth", Parallel: 1})
	if err == nil || !strings.Contains(err.Error(), "run it again to resume") {
		t.Fatalf("interrupted restore: %v", err)
	}
	if _, err := os.Stat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("an interrupted restore left the data directory: %v", err)
	}
	again := &countingStore{Store: mem}
	if _, err := Restore(context.Background(), RestoreOptions{Store: again, Dir: target, Network: "devnet", Client: "geth", Parallel: 1}); err != nil {
		t.Fatal(err)
	}
	if n := again.gets.Load(); n == 0 || n >= int64(m.Totals.Chunks) {
		t.Errorf("the resumed restore fetched %d of %d chunks", n, m.Totals.Chunks)
	}
	sameTree(t, dir, target)
}

func TestBadSnapshots(t *testing.T) {
	ctx := context.Background()
	dir := dataDir(t)
	tests := []struct {
		name    string
		damage  func(s *MemStore, m *Manifest)
		network string
		want    string
	}{
		{"truncated chunk", func(s *MemStore, m *Manifest) {
			s.Corrupt(chunkKey(m.Files[fileIndex(m, ".cdat")].Chunks[1].Hash), true)
		},
			"devnet", "bodies.0000.cdat at offset 4194304) is truncated or damaged"},
		{"damaged chunk", func(s *MemStore, m *Manifest) {
			s.Corrupt(chunkKey(m.Files[fileIndex(m, "000002.sst")].Chunks[0].Hash), false)
		},
			"devnet", "000002.sst at offset 0) is damaged (its SHA-256 differs)"},
		{"missing chunk", func(s *MemStore, m *Manifest) {
			s.Delete(ctx, chunkKey(m.Files[fileIndex(m, "MANIFEST-000003")].Chunks[0].Hash))
		},
			"devnet", "MANIFEST-000003 at offset 0) is missing"},
		{"missing manifest", func(s *MemStore, m *Manifest) { s.Delete(ctx, manifestKey("devnet", "geth", m.ID)) },
			"devnet", "whose manifest is missing"},
		{"another network", func(*MemStore, *Manifest) {}, "mainnet", "has no snapshot of mainnet geth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewMemStore()
			m := create(t, s, dir)
			tt.damage(s, m)
			target := filepath.Join(t.TempDir(), "restored")
			_, err := Restore(ctx, RestoreOptions{Store: s, Dir: target, Network: tt.network, Client: "geth"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("restore: %v; want %q", err, tt.want)
			}
			// Only a store without any snapshot is one a new node syncs
			// from its peers for; a damaged one is an error.
			if errors.Is(err, ErrNoSnapshot) != (tt.network != "devnet") {
				t.Errorf("restore: %v; ErrNoSnapshot %v", err, !errors.Is(err, ErrNoSnapshot))
			}
			if _, err := os.Stat(target); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a failed restore left a data directory: %v", err)
			}
			if _, err := Verify(ctx, s, tt.network, "geth", "", 2, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("verify: %v; want %q", err, tt.want)
			}
		})
	}
}

func fileIndex(m *Manifest, suffix string) int {
	for i, f := range m.Files {
		if strings.HasSuffix(f.Path, suffix) {
			return i
		}
	}
	panic(suffix)
}

func TestRestoreNeverOverwrites(t *testing.T) {
	s := NewMemStore()
	create(t, s, dataDir(t))
	target := t.TempDir()
	os.WriteFile(filepath.Join(target, "precious"), []byte("x"), 0o644)
	_, err := Restore(context.Background(), RestoreOptions{Store: s, Dir: target, Network: "devnet", Client: "geth"})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore into a full directory: %v", err)
	}
	// An empty directory (a fresh mount point) is fine.
	if _, err := Restore(context.Background(), RestoreOptions{Store: s, Dir: t.TempDir(), Network: "devnet", Client: "geth"}); err != nil {
		t.Fatal(err)
	}
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	s, err := NewFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := dataDir(t)
	var ms []*Manifest
	for i := range 3 {
		writeFile(t, filepath.Join(dir, "geth/chaindata/00001"+string(rune('0'+i))+".sst"), 3000, uint64(20+i))
		ms = append(ms, create(t, s, dir))
		os.Remove(filepath.Join(dir, "geth/chaindata/000002.sst")) // compacted away
		time.Sleep(time.Millisecond)                               // distinct creation times
	}
	// Age every chunk past prune's margin for clock skew.
	old := time.Now().Add(-time.Hour)
	s.List(ctx, "chunks/", func(o Object) error {
		return os.Chtimes(filepath.Join(s.dir, filepath.FromSlash(o.Key)), old, old)
	})
	release, err := takeLock(ctx, s, lockInfo{Kind: "create", ID: "someone-else"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Prune(ctx, s, "devnet", "geth", 1); err == nil || !strings.Contains(err.Error(), "someone-else is being written") {
		t.Fatalf("prune during a create: %v", err)
	}
	release()
	// A snapshot being restored is kept, whatever its age.
	release, err = takeLock(ctx, s, lockInfo{Kind: "restore", ID: "restore-1", Snapshot: ms[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	report, err := Prune(ctx, s, "devnet", "geth", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Manifests) != 1 || report.Manifests[0] != ms[1].ID || report.Chunks != 0 {
		t.Errorf("pruned %+v while the oldest is restored; want the middle one only, and no chunk", report)
	}
	if _, err := Verify(ctx, s, "devnet", "geth", ms[0].ID, 2, nil); err != nil {
		t.Errorf("the snapshot being restored: %v", err)
	}
	release()
	report, err = Prune(ctx, s, "devnet", "geth", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Manifests) != 1 || report.Manifests[0] != ms[0].ID || report.Chunks != 1 {
		t.Errorf("pruned %+v; want the oldest snapshot and the one chunk only it used (000002.sst)", report)
	}
	left, _ := List(ctx, s, "devnet", "geth")
	if len(left) != 1 || left[0].ID != ms[2].ID {
		t.Fatalf("left %d snapshots", len(left))
	}
	if _, err := Verify(ctx, s, "devnet", "geth", "", 2, nil); err != nil {
		t.Errorf("the kept snapshot: %v", err)
	}
}
