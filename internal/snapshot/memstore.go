package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// MemStore keeps objects in memory: for tests.
type MemStore struct {
	mu      sync.Mutex
	objects map[string]memObject
}

type memObject struct {
	data     []byte
	modified time.Time
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore { return &MemStore{objects: map[string]memObject{}} }

func (m *MemStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("mem store: put %s: %w", key, err)
	}
	if size >= 0 && int64(len(data)) != size {
		return fmt.Errorf("mem store: put %s: got %d bytes, want %d", key, len(data), size)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[key] = memObject{data: data, modified: time.Now()}
	return nil
}

func (m *MemStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return nil, fmt.Errorf("mem store: %s: %w", key, ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(o.data)), nil
}

func (m *MemStore) Stat(ctx context.Context, key string) (Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return Object{}, fmt.Errorf("mem store: %s: %w", key, ErrNotFound)
	}
	return Object{Key: key, Size: int64(len(o.data)), Modified: o.modified}, nil
}

func (m *MemStore) List(ctx context.Context, prefix string, fn func(Object) error) error {
	m.mu.Lock()
	var objs []Object
	for k, o := range m.objects {
		if strings.HasPrefix(k, prefix) {
			objs = append(objs, Object{Key: k, Size: int64(len(o.data)), Modified: o.modified})
		}
	}
	m.mu.Unlock()
	for _, o := range objs {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

func (m *MemStore) Delete(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, key)
	return nil
}

func (m *MemStore) String() string { return "mem://" }

// Corrupt flips a byte of the object at key, or cuts it short when
// truncate: for tests of what restore and verify detect.
func (m *MemStore) Corrupt(key string, truncate bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o := m.objects[key]
	data := bytes.Clone(o.data)
	if truncate {
		data = data[:len(data)/2]
	} else if len(data) > 0 {
		data[len(data)/2] ^= 0xff
	}
	m.objects[key] = memObject{data: data, modified: o.modified}
}
