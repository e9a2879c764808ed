package snapshot

import "unsafe"

// alignment is what O_DIRECT asks of a write: its offset, its length and
// the address of its buffer must be multiples of it (the page size, and a
// multiple of every disk's logical block size).
const alignment = 4096

// alignedBuffer returns size bytes that start at a multiple of alignment in
// memory, with at least alignment bytes of capacity beyond them: the zstd
// decoder takes its faster path when it may write a little past the end.
func alignedBuffer(size int) []byte {
	b := make([]byte, size+2*alignment)
	skip := 0
	if rem := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) % alignment); rem > 0 {
		skip = alignment - rem
	}
	return b[skip : skip+size]
}
