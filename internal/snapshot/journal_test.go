package snapshot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
