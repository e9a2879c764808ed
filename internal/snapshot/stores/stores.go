// Package stores opens a snapshot store by URL: file://PATH for a local
// disk, NFS or EFS, s3://BUCKET/PREFIX for S3 and S3-compatible servers.
package stores

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/snapshot/s3store"
)

// Open returns the store raw names.
func Open(ctx context.Context, raw string) (snapshot.Store, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("snapshot store %q: %w", raw, err)
	}
	switch u.Scheme {
	case "file":
		path := u.Path
		if u.Host != "" && u.Host != "localhost" {
			path = filepath.Join(u.Host, u.Path) // file://relative/dir
		}
		if path == "" {
			return nil, fmt.Errorf("snapshot store %q: no path", raw)
		}
		return snapshot.NewFileStore(path)
	case "s3":
		cfg, err := s3store.ParseURL(raw)
		if err != nil {
			return nil, err
		}
		return s3store.New(ctx, cfg)
	default:
		return nil, fmt.Errorf("snapshot store %q: use file://PATH or s3://BUCKET/PREFIX", raw)
	}
}
