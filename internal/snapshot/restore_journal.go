package snapshot

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// journalName is the restore's record, in the temporary directory, of the
// snapshot it restores and the files already written and synced.
const journalName = ".ethfleet-restore"

// checkpointBytes is how much a restore writes between two checkpoints: a
// crash costs writing that much again, at most.
const checkpointBytes = 1 << 30

// syncJournal records the files a restore has written, so that a restore
// run again after it stopped need not write them again. Files are not
// synced one by one: a checkpoint syncs every file written so far at once,
// then records them. A file is recorded only after a sync that began once
// it was written, so every line of the journal is true whatever crash
// comes; a crash costs writing again the files since the last checkpoint.
type syncJournal struct {
	// sync makes the files (paths relative to the restore's directory)
	// and their directory entries durable.
	sync func(paths []string) error
	w    io.Writer

	mu      sync.Mutex // guards pending
	pending []string   // files written since the last checkpoint
	one     sync.Mutex // one checkpoint at a time, in the order they began
}

// written notes that every byte of the file has been written.
func (j *syncJournal) written(path string) {
	j.mu.Lock()
	j.pending = append(j.pending, path)
	j.mu.Unlock()
}

// checkpoint syncs the files written so far and records them. A file
// written while it syncs waits for the next checkpoint.
func (j *syncJournal) checkpoint() error {
	j.one.Lock()
	defer j.one.Unlock()
	j.mu.Lock()
	paths := j.pending
	j.pending = nil
	j.mu.Unlock()
	if len(paths) == 0 {
		return nil
	}
	if err := j.sync(paths); err != nil {
		j.mu.Lock()
		j.pending = append(paths, j.pending...) // not recorded: still to sync
		j.mu.Unlock()
		return fmt.Errorf("snapshot: restore: sync: %w", err)
	}
	// The journal itself is not synced: a line lost to a crash costs
	// writing its file again, and a line a crash cut short is not read.
	var b strings.Builder
	for _, p := range paths {
		b.WriteString("done " + p + "\n")
	}
	if _, err := io.WriteString(j.w, b.String()); err != nil {
		return fmt.Errorf("snapshot: restore journal: %w", err)
	}
	return nil
}

// readJournal returns the files the journal in dir records as written for
// snapshot id and still there at their size; nothing if it is of another
// snapshot, or missing.
func readJournal(dir string, m *Manifest) map[string]bool {
	done := map[string]bool{}
	lines := journalLines(dir)
	if len(lines) == 0 || lines[0] != "snapshot "+m.ID {
		return done
	}
	sizes := map[string]int64{}
	for _, f := range m.Files {
		if f.Mode.IsRegular() {
			sizes[f.Path] = f.Size
		}
	}
	for _, line := range lines[1:] {
		path, ok := strings.CutPrefix(line, "done ")
		size, known := sizes[path]
		if !ok || !known {
			continue
		}
		if info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(path))); err == nil && info.Size() == size {
			done[path] = true
		}
	}
	return done
}

// journalSnapshot is the id of the snapshot the restore into dir was
// writing, if one was.
func journalSnapshot(dir string) string {
	if lines := journalLines(dir); len(lines) > 0 {
		if id, ok := strings.CutPrefix(lines[0], "snapshot "); ok && checkID(id) == nil {
			return id
		}
	}
	return ""
}

// journalLines are the whole lines of the journal in dir: a crash may have
// cut the last one short.
func journalLines(dir string) []string {
	b, err := os.ReadFile(filepath.Join(dir, journalName))
	if err != nil {
		return nil
	}
	lines := strings.Split(string(b), "\n")
	return lines[:len(lines)-1]
}
