package hold

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The files of a hold directory.
const (
	heldFile = "held"
	pidFile  = "pid"
)

// Held reports whether dir holds its client back.
func Held(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, heldFile))
	return err == nil
}

// Release lets the client of dir start, reporting whether it was held.
func Release(dir string) (bool, error) {
	err := os.Remove(filepath.Join(dir, heldFile))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("hold: release: %w", err)
	}
}

// hold keeps the client of dir from starting.
func hold(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, heldFile), nil, 0o644); err != nil {
		return fmt.Errorf("hold: %w", err)
	}
	return nil
}

// process is one process, told from a later one with the same number by
// its start time.
type process struct {
	pid   int
	start uint64
}

// writePID records p in dir, replacing what was there in one rename.
func writePID(dir string, p process) error {
	err := replace(filepath.Join(dir, pidFile), 0o644, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%d %d\n", p.pid, p.start)
		return err
	})
	if err != nil {
		return fmt.Errorf("hold: record the client's process: %w", err)
	}
	return nil
}

// readPID returns the process recorded in dir; an error wrapping
// fs.ErrNotExist when none has been.
func readPID(dir string) (process, error) {
	path := filepath.Join(dir, pidFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return process{}, fmt.Errorf("hold: %w", err)
	}
	f := strings.Fields(string(b))
	var p process
	if len(f) == 2 {
		p.pid, err = strconv.Atoi(f[0])
		if err == nil {
			p.start, err = strconv.ParseUint(f[1], 10, 64)
		}
	}
	if len(f) != 2 || err != nil || p.pid <= 0 {
		return process{}, fmt.Errorf("hold: %s: want \"PID START\", got %q", path, b)
	}
	return p, nil
}

// Install copies the running executable to path (mode 0755), for a
// client's container to run `ethfleet hold run` from: the ethfleet binary
// is static, so it runs in any client's image.
func Install(path string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("hold: install: %w", err)
	}
	src, err := os.Open(self)
	if err != nil {
		return fmt.Errorf("hold: install: %w", err)
	}
	defer src.Close()
	if err := replace(path, 0o755, func(w io.Writer) error { _, err := io.Copy(w, src); return err }); err != nil {
		return fmt.Errorf("hold: install: %w", err)
	}
	return nil
}

// replace writes path's new content through write into a temporary file
// beside it, then renames it into place, so that a reader sees the old
// file or the new one whole; a failure leaves no temporary file.
func replace(path string, mode os.FileMode, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
