package snapshot

import (
	"errors"
	"os"
	"syscall"
)

// writeChunk writes data at offset off of the file at path. A chunk that
// starts on a page boundary, from a buffer that does (aligned), has its
// whole pages written with O_DIRECT where the file system takes it: they
// go to the disk now, beside the other workers' downloads, rather than
// into the page cache for the sync at the end to write out, and the CPU
// copies them once less. The rest goes through the page cache.
func writeChunk(path string, data []byte, off int64, aligned bool) error {
	n := 0
	if aligned && off%alignment == 0 {
		n = len(data) &^ (alignment - 1)
	}
	if n > 0 {
		ok, err := writeDirect(path, data[:n], off)
		if err != nil {
			return err
		}
		if !ok {
			n = 0
		}
	}
	if n == len(data) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	return writeClose(f, data[n:], off+int64(n))
}

// writeDirect writes data at off of the file at path with O_DIRECT. It
// reports false, having written nothing, where the file system does not
// take O_DIRECT or not for this write.
func writeDirect(path string, data []byte, off int64) (bool, error) {
	f, err := openDirect(path)
	if f == nil || err != nil {
		return false, err
	}
	err = writeClose(f, data, off)
	if errors.Is(err, syscall.EINVAL) {
		return false, nil
	}
	return err == nil, err
}

// writeClose writes data at off of f and closes it.
func writeClose(f *os.File, data []byte, off int64) error {
	_, err := f.WriteAt(data, off)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
