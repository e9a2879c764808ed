package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHold covers what `ethfleet hold` does short of becoming the client
// (which would replace the test): its install, and its refusals.
func TestHold(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"install", []string{"hold", "install", filepath.Join(dir, "ethfleet")}, ""},
		{"no dir", []string{"hold", "run", "--", "true"}, `required flag(s) "dir" not set`},
		{"no command", []string{"hold", "run", "--dir", dir}, "requires at least 1 arg"},
		{"unknown client", []string{"hold", "run", "--dir", dir, "--", "no-such-client-here", "--datadir=/data"}, "executable file not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(context.Background(), tt.args...)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("ethfleet %s: %v, want error %q", strings.Join(tt.args, " "), err, tt.err)
			}
		})
	}
	if fi, err := os.Stat(filepath.Join(dir, "ethfleet")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("installed binary: %v, %v", fi, err)
	}
}
