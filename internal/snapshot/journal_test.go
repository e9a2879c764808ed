package snapshot

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSyncJournal: a file is recorded only after a sync that began once it
// was written.
func TestSyncJournal(t *testing.T) {
	tests := []struct {
		name string
		// steps: "w P" writes file P; "cp" runs a checkpoint; "cp!" one
		// whose sync fails; "cp+P" one during whose sync P is written.
		steps   []string
		syncs   [][]string // what each sync was given
		journal string
	}{
		{"nothing written, nothing synced", []string{"cp"}, nil, ""},
		{"written, not synced", []string{"w a", "w b"}, nil, ""},
		{"written, then synced", []string{"w a", "w b", "cp"}, [][]string{{"a", "b"}}, "done a\ndone b\n"},
		{"written during a sync: the next one", []string{"w a", "cp+b", "cp"}, [][]string{{"a"}, {"b"}}, "done a\ndone b\n"},
		{"written during the last sync: not recorded", []string{"w a", "cp+b"}, [][]string{{"a"}}, "done a\n"},
		{"a failed sync records nothing", []string{"w a", "cp!"}, [][]string{{"a"}}, ""},
		{"after a failed sync, the next one", []string{"w a", "cp!", "w b", "cp"}, [][]string{{"a"}, {"a", "b"}}, "done a\ndone b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var journal strings.Builder
			var syncs [][]string
			var during string
			fail := false
			j := &syncJournal{w: &journal}
			j.sync = func(paths []string) error {
				syncs = append(syncs, slices.Clone(paths))
				if during != "" {
					j.written(during)
				}
				if fail {
					return errors.New("EIO")
				}
				return nil
			}
			for _, step := range tt.steps {
				during, fail = "", false
				switch {
				case strings.HasPrefix(step, "w "):
					j.written(step[2:])
					continue
				case step == "cp!":
					fail = true
				case strings.HasPrefix(step, "cp+"):
					during = step[3:]
				}
				if err := j.checkpoint(); (err != nil) != fail {
					t.Fatalf("%s: %v", step, err)
				}
			}
			if !slices.EqualFunc(syncs, tt.syncs, slices.Equal) || journal.String() != tt.journal {
				t.Errorf("synced %q, journal %q; want %q, %q", syncs, journal.String(), tt.syncs, tt.journal)
			}
		})
	}
}

// TestReadJournal: a resumed restore trusts the lines of its own
// snapshot's journal, whole ones, about files that are there at their
// size.
func TestReadJournal(t *testing.T) {
	m := &Manifest{ID: "s1", Files: []File{{Path: "a", Size: 3}, {Path: "b", Size: 5}, {Path: "d", Mode: os.ModeDir}}}
	tests := []struct {
		name    string
		journal string
		files   map[string]int // written files and their sizes
		want    []string
	}{
		{"none", "", nil, nil},
		{"whole lines", "snapshot s1\ndone a\ndone b\n", map[string]int{"a": 3, "b": 5}, []string{"a", "b"}},
		{"a torn line", "snapshot s1\ndone a\ndone b", map[string]int{"a": 3, "b": 5}, []string{"a"}},
		{"another snapshot", "snapshot s0\ndone a\n", map[string]int{"a": 3}, nil},
		{"a file missing", "snapshot s1\ndone a\ndone b\n", map[string]int{"a": 3}, []string{"a"}},
		{"a file short", "snapshot s1\ndone a\ndone b\n", map[string]int{"a": 3, "b": 4}, []string{"a"}},
		{"not a file of the snapshot", "snapshot s1\ndone d\ndone x\n", map[string]int{"x": 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.journal != "" {
				os.WriteFile(filepath.Join(dir, journalName), []byte(tt.journal), 0o644)
			}
			for name, size := range tt.files {
				os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o644)
			}
			got := slices.Sorted(maps.Keys(readJournal(dir, m)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("done %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRestoreIgnoresTornJournalLine resumes a restore whose journal ends
// in a line a crash cut short, naming a file that was not written: the
// line does not count, and the file is written.
func TestRestoreIgnoresTornJournalLine(t *testing.T) {
	ctx := context.Background()
	mem := NewMemStore()
	dir := dataDir(t)
	create(t, mem, dir)
	target := filepath.Join(t.TempDir(), "restored")
	broken := &countingStore{Store: mem, failAt: 6, failErr: errors.New("connection reset")}
	if _, err := Restore(ctx, RestoreOptions{Store: broken, Dir: target, Network: "devnet", Client: "geth", Parallel: 1}); err == nil {
		t.Fatal("the interrupted restore succeeded")
	}
	journal := filepath.Join(target+".restoring", journalName)
	b, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	const unwritten = "geth/chaindata/ancient/chain/bodies.0000.cdat"
	if !strings.HasPrefix(string(b), "snapshot ") || strings.Contains(string(b), unwritten) {
		t.Fatalf("journal before the torn line:\n%s", b)
	}
	if err := os.WriteFile(journal, append(b, "done "+unwritten...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, RestoreOptions{Store: mem, Dir: target, Network: "devnet", Client: "geth", Parallel: 1}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, dir, target)
}
