// Package stores opens a snapshot store by URL: file://PATH for a local
// disk, NFS or EFS, s3://BUCKET/PREFIX for S3 and S3-compatible servers.
package stores

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/snapshot/s3store"
)

// Open returns the store raw names. Its errors never repeat raw whole: a
// URL may carry a secret, in its user part or its query.
func Open(ctx context.Context, raw string) (snapshot.Store, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // which repeats the URL
		}
		return nil, fmt.Errorf("snapshot store: %w", err)
	}
	name := u.Scheme + "://" + u.Host + u.Path // without user or query
	switch u.Scheme {
	case "file":
		path := u.Path
		if u.Host != "" && u.Host != "localhost" {
			path = filepath.Join(u.Host, u.Path) // file://relative/dir
		}
		if path == "" {
			return nil, fmt.Errorf("snapshot store %s: no path", name)
		}
		return snapshot.NewFileStore(path)
	case "s3":
		cfg, err := s3store.ParseURL(raw)
		if err != nil {
			return nil, err
		}
		return s3store.New(ctx, cfg)
	default:
		return nil, fmt.Errorf("snapshot store %s: use file://PATH or s3://BUCKET/PREFIX", name)
	}
}
