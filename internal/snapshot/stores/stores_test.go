package stores

import (
	"context"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		url, want, err string
	}{
		{"file://" + dir, "file://" + dir, ""},
		{"s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&path-style=true", "s3://bucket/prefix", ""},
		{"ftp://example/x", "", "use file://PATH or s3://BUCKET/PREFIX"},
		{"file://", "", "no path"},
		{"s3://bucket/p?colour=blue", "", "colour"},
	}
	for _, tt := range tests {
		s, err := Open(context.Background(), tt.url)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Open(%q) = %v, want an error with %q", tt.url, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("Open(%q): %v", tt.url, err)
		case tt.err == "" && !strings.HasPrefix(s.String(), tt.want):
			t.Errorf("Open(%q) = %s, want %s…", tt.url, s, tt.want)
		}
	}
}
