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
		{"s3://AKIAEXAMPLE:hunter2@bucket/p", "", "credentials in the URL are not accepted"},
		{"ftp://user:hunter2@example/x?token=hunter2", "", "snapshot store ftp://example/x: use"},
		{"file://user:hunter2@", "", "no path"},
		{"s3://user:hunter2@b%zz/p", "", "invalid URL escape"},
	}
	for _, tt := range tests {
		s, err := Open(context.Background(), tt.url)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Open(%q) = %v, want an error with %q", tt.url, err, tt.err)
		case err != nil && strings.Contains(err.Error(), "hunter2"):
			t.Errorf("Open(%q): the error shows the secret: %v", tt.url, err)
		case tt.err == "" && err != nil:
			t.Errorf("Open(%q): %v", tt.url, err)
		case tt.err == "" && !strings.HasPrefix(s.String(), tt.want):
			t.Errorf("Open(%q) = %s, want %s…", tt.url, s, tt.want)
		}
	}
}
