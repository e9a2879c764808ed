package snapshot

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound is what a Store returns for a key it does not hold.
var ErrNotFound = errors.New("not found")

// Store holds objects by key. Keys are slash-separated paths such as
// "chunks/ab/ab12…". Implementations must be safe for concurrent use.
type Store interface {
	// Put stores the object at key, replacing any; it becomes visible
	// whole or not at all.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Get opens the object at key, or fails with an error wrapping
	// ErrNotFound.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat returns the object's size and time of last change, or an error
	// wrapping ErrNotFound.
	Stat(ctx context.Context, key string) (Object, error)
	// List calls fn for every object whose key starts with prefix, in no
	// particular order, until fn returns an error.
	List(ctx context.Context, prefix string, fn func(Object) error) error
	// Delete removes the object at key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// String names the store for people, without credentials.
	String() string
}

// Object is what a store knows about one object.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time
}
