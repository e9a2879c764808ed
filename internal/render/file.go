package render

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File is one rendered file, at Path relative to the output directory.
type File struct {
	Path string
	Mode fs.FileMode // 0 means 0o644
	Data []byte
	// Once marks a generated secret that others already hold (an engine
	// API JWT): Write leaves a file already at Path as it is.
	Once bool
}

// Write writes files under dir, creating it and their directories, except
// a Once file that is there already. A path that would leave dir is refused.
func Write(dir string, files []File) error {
	for _, f := range files {
		if !filepath.IsLocal(f.Path) {
			return fmt.Errorf("render: %q is not a path inside the output directory", f.Path)
		}
		path := filepath.Join(dir, f.Path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("render: %w", err)
		}
		mode := f.Mode
		if mode == 0 {
			mode = 0o644
		}
		if _, err := os.Lstat(path); err == nil && f.Once {
			if err := os.Chmod(path, mode); err != nil {
				return fmt.Errorf("render: %w", err)
			}
			continue
		}
		if err := os.WriteFile(path, f.Data, mode); err != nil {
			return fmt.Errorf("render: %w", err)
		}
		// WriteFile keeps the mode of a file that existed; a secret's
		// must be tightened all the same.
		if err := os.Chmod(path, mode); err != nil {
			return fmt.Errorf("render: %w", err)
		}
	}
	return nil
}

// Name turns a node name into one every target accepts (a DNS label, a
// CloudFormation logical id once capitalised): lower case, dashes.
func Name(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}
