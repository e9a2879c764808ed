package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// restoreTarget is the directory a restore fills: dir, or where it leads
// if it is a symbolic link (the data belongs on the disk the link points
// to). It must be missing or empty, and not a mount point, which the
// rename at the end cannot replace.
func restoreTarget(dir string) (string, error) {
	dir = filepath.Clean(dir)
	resolved, err := filepath.EvalSymlinks(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return dir, nil
	case err != nil:
		return "", fmt.Errorf("snapshot: restore into %s: %w", dir, err)
	}
	if err := mustBeEmpty(resolved); err != nil {
		return "", err
	}
	mounted, err := mountPoint(resolved)
	if err != nil {
		return "", fmt.Errorf("snapshot: restore into %s: %w", dir, err)
	}
	if mounted {
		return "", fmt.Errorf("snapshot: restore into %s: it is a mount point, which a restore (written beside it, then renamed into place) cannot replace; restore into a directory inside it, such as %s", dir, filepath.Join(dir, "execution"))
	}
	return resolved, nil
}

// claim chooses the snapshot to restore and locks it, so that a prune
// keeps it: the one asked for; else the one an interrupted restore was
// writing, which resumes, if the store still has it; else the latest. A
// prune may delete the chosen one before the lock is up: then it chooses
// again.
func (r *restorer) claim(ctx context.Context) (release func(), err error) {
	o := r.opts
	for tries := 0; ; tries++ {
		id, latest, err := r.choose(ctx)
		if err != nil {
			return nil, err
		}
		release, err := takeLock(ctx, o.Store, lockInfo{Kind: "restore", ID: "restore-" + newID(), Snapshot: id})
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			if o.Unlocked != nil {
				o.Unlocked(err)
			}
			release = func() {}
		}
		r.m, err = loadManifest(ctx, o.Store, o.Network, o.Client, id, latest)
		if err == nil {
			return release, nil
		}
		release()
		if again, _, cerr := r.choose(ctx); tries == 2 || cerr != nil || again == id {
			return nil, err
		}
	}
}

// choose names the snapshot claim locks, and whether latest named it.
func (r *restorer) choose(ctx context.Context) (id string, latest bool, err error) {
	o := r.opts
	if o.ID != "" {
		return o.ID, false, nil
	}
	if id := journalSnapshot(r.tmp); id != "" {
		if _, err := o.Store.Stat(ctx, manifestKey(o.Network, o.Client, id)); err == nil {
			return id, false, nil
		}
	}
	id, err = resolveID(ctx, o.Store, o.Network, o.Client, "")
	return id, true, err
}

// mustBeEmpty fails unless dir is missing or an empty directory.
func mustBeEmpty(dir string) error {
	empty, err := Empty(dir)
	if err != nil {
		return fmt.Errorf("snapshot: restore into %s: %w", dir, err)
	}
	if !empty {
		return fmt.Errorf("snapshot: restore into %s: the directory is not empty; a restore never overwrites a data directory", dir)
	}
	return nil
}

// Empty reports whether dir is missing or an empty directory: one a
// restore may fill. A lost+found, which a freshly made file system has,
// does not count.
func Empty(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		if e.Name() != "lost+found" {
			return false, nil
		}
	}
	return true, nil
}
