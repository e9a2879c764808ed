package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FileStore keeps objects as files under a directory: a local disk, NFS
// or EFS. A Put writes a temporary file, syncs it, renames it into place
// and syncs its directory: readers see whole objects only, and a Put that
// returned survives a crash.
type FileStore struct{ dir string }

// NewFileStore returns a store under dir, creating it if needed.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	return &FileStore{dir: dir}, nil
}

// path maps a key to a file, refusing keys that would leave the store.
func (f *FileStore) path(key string) (string, error) {
	if key == "" || !fs.ValidPath(key) {
		return "", fmt.Errorf("file store: invalid key %q", key)
	}
	return filepath.Join(f.dir, filepath.FromSlash(key)), nil
}

func (f *FileStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	path, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("file store: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return fmt.Errorf("file store: put %s: %w", key, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	n, err := io.Copy(tmp, r)
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("got %d bytes, want %d", n, size)
	}
	if err == nil {
		err = tmp.Chmod(0o644) // readable by all, as S3 objects are to whoever may read the bucket
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err == nil {
		err = syncFile(filepath.Dir(path)) // the rename itself
	}
	if err != nil {
		return fmt.Errorf("file store: put %s: %w", key, err)
	}
	return nil
}

func (f *FileStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	path, err := f.path(key)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("file store: %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	return file, nil
}

func (f *FileStore) Stat(ctx context.Context, key string) (Object, error) {
	path, err := f.path(key)
	if err != nil {
		return Object{}, err
	}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Object{}, fmt.Errorf("file store: %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return Object{}, fmt.Errorf("file store: %w", err)
	}
	return Object{Key: key, Size: info.Size(), Modified: info.ModTime()}, nil
}

func (f *FileStore) List(ctx context.Context, prefix string, fn func(Object) error) error {
	// Walk from the deepest directory the prefix names.
	start := f.dir
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = filepath.Join(f.dir, filepath.FromSlash(prefix[:i]))
	}
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".put-") {
			return nil
		}
		rel, err := filepath.Rel(f.dir, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(Object{Key: key, Size: info.Size(), Modified: info.ModTime()})
	})
	if err != nil {
		return fmt.Errorf("file store: list %s: %w", prefix, err)
	}
	return nil
}

func (f *FileStore) Delete(ctx context.Context, key string) error {
	path, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("file store: %w", err)
	}
	return nil
}

func (f *FileStore) String() string { return "file://" + f.dir }
