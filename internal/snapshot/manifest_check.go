package snapshot

import (
	"encoding/hex"
	"fmt"
	"io/fs"
)

// check makes sure a manifest read from a store cannot make a restore
// write outside its directory or more than it says: every path is relative
// and inside the data directory and named once, every chunk is named by a
// SHA-256 and at most ChunkSize, and a file's chunks add up to its size.
func (m *Manifest) check() error {
	seen := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if f.Path == "." || !fs.ValidPath(f.Path) {
			return fmt.Errorf("file %q: not a path inside the data directory", f.Path)
		}
		if seen[f.Path] {
			return fmt.Errorf("file %q: listed twice", f.Path)
		}
		seen[f.Path] = true
		switch {
		case f.Mode.IsDir() && len(f.Chunks) == 0:
			continue
		case !f.Mode.IsRegular():
			return fmt.Errorf("file %q: mode %s is neither a file nor a directory", f.Path, f.Mode)
		}
		var sum int64
		for i, c := range f.Chunks {
			if b, err := hex.DecodeString(c.Hash); err != nil || len(b) != 32 {
				return fmt.Errorf("file %q: chunk %d: %q is not a SHA-256", f.Path, i, c.Hash)
			}
			if c.Size <= 0 || c.Size > ChunkSize {
				return fmt.Errorf("file %q: chunk %d: size %d is not between 1 and %d", f.Path, i, c.Size, ChunkSize)
			}
			sum += c.Size
		}
		if sum != f.Size {
			return fmt.Errorf("file %q: its chunks add up to %d bytes, not its size %d", f.Path, sum, f.Size)
		}
	}
	return nil
}
