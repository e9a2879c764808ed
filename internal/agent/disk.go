package agent

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Disk is the space of the file system holding a data directory.
type Disk struct {
	FreeBytes uint64 `json:"freeBytes"`
	SizeBytes uint64 `json:"sizeBytes"`
}

// diskOf reads the space of the file system that holds dir.
func diskOf(dir string) (Disk, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return Disk{}, fmt.Errorf("agent: data dir %s: %w", dir, err)
	}
	return Disk{FreeBytes: uint64(st.Bavail) * uint64(st.Bsize), SizeBytes: uint64(st.Blocks) * uint64(st.Bsize)}, nil
}
