package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// index remembers the chunks of each file of a data directory as of the
// last snapshot, by size, modification time and inode, so that a file
// that has not changed is not read again.
type index struct {
	Files map[string]indexEntry `json:"files"`
}

type indexEntry struct {
	Size    int64   `json:"size"`
	ModTime int64   `json:"modTime"` // Unix ns
	Inode   uint64  `json:"inode"`
	Chunks  []Chunk `json:"chunks"`
}

func loadIndex(path string) (*index, error) {
	idx := &index{Files: map[string]indexEntry{}}
	if path == "" {
		return idx, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return idx, nil
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot: index: %w", err)
	}
	if err := json.Unmarshal(b, idx); err != nil || idx.Files == nil {
		// A damaged index costs a full read, nothing more.
		return &index{Files: map[string]indexEntry{}}, nil
	}
	return idx, nil
}

func (idx *index) save(path string) error {
	if path == "" {
		return nil
	}
	b, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("snapshot: index: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("snapshot: index: %w", err)
	}
	return nil
}

func entryOf(info fs.FileInfo) indexEntry {
	e := indexEntry{Size: info.Size(), ModTime: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		e.Inode = uint64(st.Ino)
	}
	return e
}

// DefaultIndexPath is where the index of a data directory lives when not
// configured: beside it, so that it is never part of a snapshot.
func DefaultIndexPath(dir string) string {
	dir = filepath.Clean(dir)
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".snapshot-index.json")
}
