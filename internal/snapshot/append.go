package snapshot

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// appendOnly reports whether go-ethereum only ever appends to the file:
// the freezer's data and index files and pebble's MANIFEST. When such a
// file has grown, its chunks of the previous snapshot are kept and only
// the appended bytes are read (see appendLayout). The freezer may also
// rewind a file (truncate its head, then append other items); a rewind
// that leaves the file at least as long as before rewrites its bytes up to
// the old end, which the check of its last chunks catches (checkKept).
func appendOnly(path string) bool {
	switch filepath.Ext(path) {
	case ".cdat", ".rdat", ".cidx", ".ridx":
		return true
	}
	return strings.HasPrefix(filepath.Base(path), "MANIFEST-")
}

// maxSmallChunks is how many chunks smaller than ChunkSize an append-only
// file may end in: each snapshot that appends less than ChunkSize adds
// one, and once there would be more, they are read and cut again, so a
// file that grows by little at a time is not spread over ever more
// objects.
const maxSmallChunks = 8

// appendLayout returns the chunks of an append-only file that has grown
// from the size of prev to size: prev's chunks, kept as they are, then
// chunks (without hashes yet) for the bytes after them. keep is how many
// of prev's chunks are kept: all of them, or, when the small chunks at the
// end would be more than maxSmallChunks, those before the small ones,
// whose bytes are then read again with the appended ones.
func appendLayout(prev []Chunk, size int64) (chunks []Chunk, keep int) {
	from := sizeOf(prev)
	keep = len(prev)
	small := keep
	for small > 0 && prev[small-1].Size < ChunkSize {
		small--
	}
	if size-from < ChunkSize && keep-small+1 > maxSmallChunks {
		keep = small
		from = sizeOf(prev[:keep])
	}
	chunks = append(chunks, prev[:keep]...)
	return append(chunks, splitChunks(from, size)...), keep
}

// splitChunks cuts the bytes from offset from to offset to into chunks of
// ChunkSize, the last one shorter; their hashes are left empty.
func splitChunks(from, to int64) []Chunk {
	var chunks []Chunk
	for off := from; off < to; off += ChunkSize {
		chunks = append(chunks, Chunk{Size: min(ChunkSize, to-off)})
	}
	return chunks
}

// sizeOf is the number of bytes the chunks hold.
func sizeOf(chunks []Chunk) int64 {
	var n int64
	for _, c := range chunks {
		n += c.Size
	}
	return n
}

// checkKept has the last of the first keep chunks of file i read again,
// at least ChunkSize bytes of them, and checked against what they were:
// a freezer that rewound the file rewrote them.
func (c *creator) checkKept(i, keep int) {
	chunks := c.m.Files[i].Chunks
	off, covered := sizeOf(chunks[:keep]), int64(0)
	for k := keep - 1; k >= 0 && covered < ChunkSize; k-- {
		off -= chunks[k].Size
		covered += chunks[k].Size
		c.checks = append(c.checks, chunkTask{file: i, chunk: k, offset: off, size: chunks[k].Size, check: true})
		c.total += chunks[k].Size
	}
}

// afterChecks returns the tasks once the checks are done: those planned,
// but for the files whose kept chunks changed, which are cut again from
// their start and read whole.
func (c *creator) afterChecks(tasks []chunkTask) []chunkTask {
	if len(c.rewound) == 0 {
		return tasks
	}
	tasks = slices.DeleteFunc(tasks, func(t chunkTask) bool { return c.rewound[t.file] })
	for _, i := range slices.Sorted(maps.Keys(c.rewound)) {
		f := &c.m.Files[i]
		f.Chunks = splitChunks(0, f.Size)
		tasks = append(tasks, c.tasksFor(i)...)
	}
	return tasks
}
