package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/snapshot/storetest"
)

func TestS3Store(t *testing.T) {
	base := testServer(t)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) snapshot.Store {
		cfg := base
		cfg.Prefix = fmt.Sprintf("%s/%d", base.Prefix, n.Add(1))
		return newTestStore(t, cfg)
	})
}

// TestPrefix checks that a store's keys live under its prefix in the
// bucket, and that it sees nothing outside it.
func TestPrefix(t *testing.T) {
	ctx := context.Background()
	base := testServer(t)
	outer := newTestStore(t, base)
	inner := base
	inner.Prefix = base.Prefix + "/inner/" // the trailing slash is optional
	s := newTestStore(t, inner)

	if err := outer.Put(ctx, "outside", strings.NewReader("o"), 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "chunks/k", strings.NewReader("in"), 2); err != nil {
		t.Fatal(err)
	}
	if o, err := outer.Stat(ctx, "inner/chunks/k"); err != nil || o.Size != 2 || o.Key != "inner/chunks/k" {
		t.Errorf("the outer store's Stat of inner/chunks/k: %+v, %v", o, err)
	}
	var keys []string
	if err := s.List(ctx, "", func(o snapshot.Object) error { keys = append(keys, o.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []string{"chunks/k"}) {
		t.Errorf("the inner store lists %q, want only chunks/k", keys)
	}
	for _, key := range []string{"../outside", "/outside", "chunks/../../outside", ""} {
		if _, err := s.Get(ctx, key); err == nil || errors.Is(err, snapshot.ErrNotFound) {
			t.Errorf("Get(%q): %v, want the key refused", key, err)
		}
	}
}

// TestMissingBucket checks that a missing bucket is not mistaken for a
// missing object where S3 says which is missing.
func TestMissingBucket(t *testing.T) {
	ctx := context.Background()
	cfg := testServer(t)
	cfg.Bucket = "ethfleet-no-such-bucket-" + randomHex(t, 4)
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(ctx, "manifests/x")
	if err == nil || errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Get from a missing bucket: %v, want an error other than not found", err)
	}
	if err := s.List(ctx, "", func(snapshot.Object) error { return nil }); err == nil {
		t.Error("List of a missing bucket succeeded")
	}
	if err := s.Put(ctx, "k", bytes.NewReader(nil), 0); err == nil || !strings.Contains(err.Error(), cfg.Bucket) {
		t.Errorf("Put to a missing bucket: %v, want an error naming the bucket", err)
	}
}

func TestReadBody(t *testing.T) {
	for _, tt := range []struct {
		name    string
		body    string
		size    int64
		wantErr bool
	}{
		{"exact", "abc", 3, false},
		{"empty", "", 0, false},
		{"unknown size", "abcdef", -1, false},
		{"short", "abc", 10, true},
		{"long", "abcdef", 3, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBody(strings.NewReader(tt.body), tt.size)
			if (err != nil) != tt.wantErr {
				t.Fatalf("readBody: %q, %v; want error %v", got, err, tt.wantErr)
			}
			if err == nil && string(got) != tt.body {
				t.Errorf("readBody = %q, want %q", got, tt.body)
			}
		})
	}
}
