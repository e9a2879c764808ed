package render

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	first := []File{
		{Path: "a/plain.yaml", Data: []byte("one")},
		{Path: "jwt/n.hex", Mode: 0o600, Data: []byte("secret-1"), Once: true},
	}
	if err := Write(dir, first); err != nil {
		t.Fatal(err)
	}
	// The user loosened the secret's mode; a second render keeps the
	// secret but tightens it again, and rewrites the plain file.
	os.Chmod(filepath.Join(dir, "jwt/n.hex"), 0o644)
	second := []File{
		{Path: "a/plain.yaml", Data: []byte("two")},
		{Path: "jwt/n.hex", Mode: 0o600, Data: []byte("secret-2"), Once: true},
	}
	if err := Write(dir, second); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		data string
		mode os.FileMode
	}{
		{"a/plain.yaml", "two", 0o644},
		{"jwt/n.hex", "secret-1", 0o600},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.data || fi.Mode().Perm() != tt.mode {
			t.Errorf("%s = %q %v, want %q %v", tt.path, b, fi.Mode().Perm(), tt.data, tt.mode)
		}
	}
	if err := Write(dir, []File{{Path: "../out", Data: []byte("x")}}); err == nil {
		t.Error("Write accepted a path outside dir")
	}
}
