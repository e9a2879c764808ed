package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ethfleet/ethfleet/internal/snapshot"
)

// Run checks that the store newStore returns behaves as snapshot.Store
// says. newStore must return an empty store each time.
func Run(t *testing.T, newStore func(t *testing.T) snapshot.Store) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.test(t, newStore(t)) })
	}
}

var cases = []struct {
	name string
	test func(t *testing.T, s snapshot.Store)
}{
	{"put get stat", testPutGetStat},
	{"missing", testMissing},
	{"replace", testReplace},
	{"empty object", testEmptyObject},
	{"short body fails and leaves nothing", testShortBody},
	{"list by prefix", testListByPrefix},
	{"delete", testDelete},
	{"concurrent puts", testConcurrentPuts},
	{"String has no secrets", testStringHasNoSecrets},
}

var ctx = context.Background()

func put(t *testing.T, s snapshot.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
}

func get(t *testing.T, s snapshot.Store, key string) ([]byte, error) {
	t.Helper()
	r, err := s.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func testPutGetStat(t *testing.T, s snapshot.Store) {
	data := bytes.Repeat([]byte("chunk"), 1000)
	put(t, s, "chunks/ab/abcdef", data)
	got, err := get(t, s, "chunks/ab/abcdef")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get: %d bytes, %v", len(got), err)
	}
	o, err := s.Stat(ctx, "chunks/ab/abcdef")
	if err != nil || o.Size != int64(len(data)) || o.Key != "chunks/ab/abcdef" || o.Modified.IsZero() {
		t.Fatalf("Stat: %+v, %v", o, err)
	}
}

func testMissing(t *testing.T, s snapshot.Store) {
	if _, err := s.Get(ctx, "manifests/none"); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Get of a missing key: %v", err)
	}
	if _, err := s.Stat(ctx, "manifests/none"); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("Stat of a missing key: %v", err)
	}
	if err := s.Delete(ctx, "manifests/none"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
}

func testReplace(t *testing.T, s snapshot.Store) {
	put(t, s, "latest/devnet/geth", []byte("one"))
	put(t, s, "latest/devnet/geth", []byte("two"))
	if got, err := get(t, s, "latest/devnet/geth"); err != nil || string(got) != "two" {
		t.Fatalf("after replace: %q, %v", got, err)
	}
}

func testEmptyObject(t *testing.T, s snapshot.Store) {
	put(t, s, "locks/x", nil)
	if got, err := get(t, s, "locks/x"); err != nil || len(got) != 0 {
		t.Fatalf("empty: %q, %v", got, err)
	}
}

func testShortBody(t *testing.T, s snapshot.Store) {
	err := s.Put(ctx, "chunks/cd/short", strings.NewReader("abc"), 10)
	if err == nil {
		t.Fatal("Put of 3 bytes announced as 10 succeeded")
	}
	if _, err := s.Stat(ctx, "chunks/cd/short"); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("a failed Put left an object: %v", err)
	}
}

func testListByPrefix(t *testing.T, s snapshot.Store) {
	keys := []string{"chunks/aa/1", "chunks/ab/2", "chunks/ab/3", "manifests/devnet/geth/a.json", "chunksx"}
	for _, k := range keys {
		put(t, s, k, []byte(k))
	}
	for _, tt := range []struct {
		prefix string
		want   []string
	}{
		{"chunks/", []string{"chunks/aa/1", "chunks/ab/2", "chunks/ab/3"}},
		{"chunks/ab/", []string{"chunks/ab/2", "chunks/ab/3"}},
		{"chunks/ab/2", []string{"chunks/ab/2"}},
		{"manifests/devnet/", []string{"manifests/devnet/geth/a.json"}},
		{"nothing/", nil},
		{"", keys},
	} {
		var got []string
		err := s.List(ctx, tt.prefix, func(o snapshot.Object) error {
			if o.Size != int64(len(o.Key)) {
				return fmt.Errorf("%s: size %d", o.Key, o.Size)
			}
			got = append(got, o.Key)
			return nil
		})
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.want))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("List(%q) = %v, %v; want %v", tt.prefix, got, err, want)
		}
	}
	stop := errors.New("stop")
	n := 0
	if err := s.List(ctx, "chunks/", func(snapshot.Object) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("List did not stop at fn's error: %v after %d", err, n)
	}
}

func testDelete(t *testing.T, s snapshot.Store) {
	put(t, s, "chunks/ef/gone", []byte("x"))
	if err := s.Delete(ctx, "chunks/ef/gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "chunks/ef/gone"); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("after Delete: %v", err)
	}
}

func testConcurrentPuts(t *testing.T, s snapshot.Store) {
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := bytes.Repeat([]byte{byte(i)}, 64<<10)
			if err := s.Put(ctx, fmt.Sprintf("chunks/%02x/c", i), bytes.NewReader(data), int64(len(data))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	n := 0
	s.List(ctx, "chunks/", func(snapshot.Object) error { n++; return nil })
	if n != 16 {
		t.Errorf("%d objects after 16 concurrent puts", n)
	}
}

func testStringHasNoSecrets(t *testing.T, s snapshot.Store) {
	if str := s.String(); str == "" || strings.Contains(str, "@") {
		t.Errorf("String() = %q", str)
	}
}
