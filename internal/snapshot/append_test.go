package snapshot

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestAppendLayout(t *testing.T) {
	const cs = ChunkSize
	full := Chunk{Hash: "f", Size: cs}
	small := func(n int64) Chunk { return Chunk{Hash: "s", Size: n} }
	smalls := func(n int) []Chunk {
		out := make([]Chunk, n)
		for i := range out {
			out[i] = small(10)
		}
		return out
	}
	tests := []struct {
		name  string
		prev  []Chunk
		size  int64
		want  []int64 // sizes of the chunks
		keep  int
		reads int64 // bytes to read: the chunks after the kept ones
	}{
		{"nothing appended", []Chunk{full, small(77)}, cs + 77, []int64{cs, 77}, 2, 0},
		{"a little appended", []Chunk{full, small(77)}, cs + 1077, []int64{cs, 77, 1000}, 2, 1000},
		{"more than a chunk appended", []Chunk{full, small(77)}, 2*cs + 577, []int64{cs, 77, cs, 500}, 2, cs + 500},
		{"a full last chunk", []Chunk{full, full}, 2*cs + 5, []int64{cs, cs, 5}, 2, 5},
		{"small chunks at their most", append([]Chunk{full}, smalls(maxSmallChunks-1)...), cs + 70 + 5,
			append(append([]int64{cs}, slices.Repeat([]int64{10}, maxSmallChunks-1)...), 5), maxSmallChunks, 5},
		{"one small chunk too many: cut again", append([]Chunk{full}, smalls(maxSmallChunks)...), cs + 80 + 5,
			[]int64{cs, 85}, 1, 85},
		{"a large append leaves the small chunks", append([]Chunk{full}, smalls(maxSmallChunks)...), 2*cs + 80,
			append(append([]int64{cs}, slices.Repeat([]int64{10}, maxSmallChunks)...), cs), maxSmallChunks + 1, cs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, keep := appendLayout(tt.prev, tt.size)
			var sizes []int64
			var reads int64
			for k, c := range got {
				sizes = append(sizes, c.Size)
				if k >= keep {
					reads += c.Size
					if c.Hash != "" {
						t.Errorf("chunk %d to read has a hash", k)
					}
				}
			}
			if !slices.Equal(sizes, tt.want) || keep != tt.keep || reads != tt.reads || sizeOf(got) != tt.size {
				t.Errorf("got sizes %v, keep %d, reads %d; want %v, %d, %d", sizes, keep, reads, tt.want, tt.keep, tt.reads)
			}
		})
	}
}

// TestAppendOnlySnapshots takes a snapshot of a freezer file, changes it,
// takes another: what was appended is read and uploaded, not the chunk
// before it, and a rewind or truncation is caught; every snapshot
// restores the exact file.
func TestAppendOnlySnapshots(t *testing.T) {
	const cs = ChunkSize
	const rel = "geth/chaindata/ancient/chain/bodies.0000.cdat"
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
		read   int64 // by the second snapshot
		chunks int   // new chunks of the second snapshot
	}{
		{"appended", func(t *testing.T, p string) { appendFile(t, p, 1000, 9) },
			cs + 77 + 1000, 1},
		{"appended more than a chunk", func(t *testing.T, p string) { appendFile(t, p, cs+500, 9) },
			cs + 77 + cs + 500, 2},
		{"touched", func(t *testing.T, p string) { touch(t, p) },
			cs + 77, 0},
		{"rewound in the last chunk, then grown", func(t *testing.T, p string) {
			truncate(t, p, 2*cs+10)
			appendFile(t, p, 2000, 9)
		}, cs + 77 + 2*cs + 2010, 1},
		{"rewound a chunk back, then grown", func(t *testing.T, p string) {
			truncate(t, p, cs+10)
			appendFile(t, p, 2*cs, 9)
		}, cs + 77 + 3*cs + 10, 3},
		{"truncated", func(t *testing.T, p string) { truncate(t, p, cs+10) },
			cs + 10, 1},
		{"replaced by a new file", func(t *testing.T, p string) {
			// As the freezer drops its tail: a copy renamed over it.
			writeFile(t, p+".tmp", 2*cs+77, 5)
			if err := os.Rename(p+".tmp", p); err != nil {
				t.Fatal(err)
			}
		}, 2*cs + 77, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewMemStore()
			dir := filepath.Join(t.TempDir(), "data")
			writeFile(t, filepath.Join(dir, rel), 2*cs+77, 4)
			create(t, s, dir)
			tt.change(t, filepath.Join(dir, rel))
			second := create(t, s, dir)
			if second.Totals.Read != tt.read || second.Totals.NewChunks != tt.chunks {
				t.Errorf("read %d bytes, %d new chunks; want %d, %d", second.Totals.Read, second.Totals.NewChunks, tt.read, tt.chunks)
			}
			target := filepath.Join(t.TempDir(), "restored")
			if _, err := Restore(context.Background(), RestoreOptions{Store: s, Dir: target, Network: "devnet", Client: "geth"}); err != nil {
				t.Fatal(err)
			}
			sameTree(t, dir, target)
		})
	}
}

// TestManySmallAppends appends a little at a time: the file never ends
// in more than maxSmallChunks small chunks, and restores exactly.
func TestManySmallAppends(t *testing.T) {
	s := NewMemStore()
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "geth/chaindata/ancient/chain/headers.cidx")
	writeFile(t, path, ChunkSize+6, 1)
	for i := range 2*maxSmallChunks + 3 {
		appendFile(t, path, 6*(i+1), uint64(i+2))
		m := create(t, s, dir)
		f := m.Files[fileIndex(m, ".cidx")]
		small := 0
		for _, c := range f.Chunks {
			if c.Size < ChunkSize {
				small++
			}
		}
		if small > maxSmallChunks || sizeOf(f.Chunks) != f.Size {
			t.Fatalf("snapshot %d: %d small chunks, %d bytes in chunks of a %d-byte file", i, small, sizeOf(f.Chunks), f.Size)
		}
	}
	target := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(context.Background(), RestoreOptions{Store: s, Dir: target, Network: "devnet", Client: "geth"}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, dir, target)
}

func truncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// touch gives path a new modification time, its bytes unchanged.
func touch(t *testing.T, path string) {
	t.Helper()
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}
