//go:build !linux

package snapshot

import (
	"io/fs"
	"os"
	"path/filepath"
)

// openDirect returns nil: writes go through the page cache.
func openDirect(path string) (*os.File, error) { return nil, nil }

// syncFiles makes the files written under dir (paths relative to it) and
// every directory there durable, one by one: there is no syncfs.
func syncFiles(dir string, paths []string) error {
	for _, p := range paths {
		if err := syncFile(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			return err
		}
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return syncFile(path)
	})
}

// mountPoint reports false: only Linux is checked.
func mountPoint(dir string) (bool, error) { return false, nil }
