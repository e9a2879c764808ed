package snapshot

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// openDirect opens path for writing with O_DIRECT, so that writes skip the
// page cache and go to the disk as they are made. It returns nil and no
// error where the file system does not take O_DIRECT (tmpfs).
func openDirect(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_DIRECT, 0)
	if errors.Is(err, unix.EINVAL) {
		return nil, nil
	}
	return f, err
}

// syncFiles makes the files written under dir (paths relative to it) and
// every directory there durable: with one syncfs of the file system that
// holds dir, which on a journaling file system costs one commit however
// many files there are, and writes what the page cache still holds.
func syncFiles(dir string, paths []string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return &os.PathError{Op: "syncfs", Path: dir, Err: err}
	}
	return nil
}

// mountPoint reports whether dir, which exists, is where a file system is
// mounted: it sits on another device than its parent.
func mountPoint(dir string) (bool, error) {
	var st, parent unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return false, &os.PathError{Op: "stat", Path: dir, Err: err}
	}
	if err := unix.Stat(dir+"/..", &parent); err != nil {
		return false, &os.PathError{Op: "stat", Path: dir + "/..", Err: err}
	}
	return st.Dev != parent.Dev, nil
}
