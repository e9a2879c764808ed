package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// ChunkSize is the size of a chunk at most, and of most: a file is cut
// into chunks of ChunkSize, the last one shorter, except an append-only
// file that grew, whose chunks end in shorter ones where it ended before
// (see appendLayout). A chunk's offset is the sum of the sizes before it.
const ChunkSize = 4 << 20

// manifestVersion is the layout of manifests this package writes.
const manifestVersion = 1

// Manifest describes one snapshot: every file of the data directory and
// the chunks it is made of.
type Manifest struct {
	Version int    `json:"version"`
	ID      string `json:"id"`
	// Network and Client name what the data directory belongs to
	// ("mainnet", "geth"); ClientVersion is the client's own version.
	Network       string    `json:"network"`
	Client        string    `json:"client"`
	ClientVersion string    `json:"clientVersion,omitempty"`
	Head          Head      `json:"head"`
	Created       time.Time `json:"created"`
	Files         []File    `json:"files"`
	Totals        Totals    `json:"totals"`
}

// Head is the block the snapshot's chain ends at.
type Head struct {
	Number uint64 `json:"number"`
	Hash   string `json:"hash"`
}

// File is one file or directory of a snapshot.
type File struct {
	// Path is slash-separated and relative to the data directory.
	Path    string      `json:"path"`
	Mode    fs.FileMode `json:"mode"`
	Size    int64       `json:"size"`
	ModTime time.Time   `json:"modTime"`
	Chunks  []Chunk     `json:"chunks,omitempty"`
}

// Chunk is a part of a file, named by the SHA-256 of its bytes.
type Chunk struct {
	Hash string `json:"hash"`
	Size int64  `json:"size"`
}

// Totals sum up a snapshot, and what taking it cost.
type Totals struct {
	Files  int   `json:"files"`
	Bytes  int64 `json:"bytes"`
	Chunks int   `json:"chunks"`
	// NewChunks and Uploaded count the chunks that were not in the store
	// yet, and their compressed bytes.
	NewChunks int   `json:"newChunks"`
	Uploaded  int64 `json:"uploaded"`
	// Read counts the bytes read from disk: files the index knew unchanged
	// are not read.
	Read int64 `json:"read"`
}

// Keys of the objects in a store.
func chunkKey(hash string) string { return "chunks/" + hash[:2] + "/" + hash }
func manifestKey(network, client, id string) string {
	return path.Join("manifests", network, client, id+".json")
}
func latestKey(network, client string) string { return path.Join("latest", network, client) }

// ErrNoSnapshot means the store has no snapshot for a network and client.
var ErrNoSnapshot = errors.New("no snapshot")

// putJSON stores v at key.
func putJSON(ctx context.Context, s Store, key string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return s.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
}

// getJSON reads key into v.
func getJSON(ctx context.Context, s Store, key string, v any) error {
	r, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 1<<30))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// LoadManifest reads the manifest of snapshot id, or of the latest
// snapshot of network and client when id is empty, and checks it: that it
// belongs to network and client, and that its files stay inside the data
// directory and add up. A store without a snapshot of network and client
// gives an error wrapping ErrNoSnapshot; one whose latest names a manifest
// that is gone is damaged, and its error does not.
func LoadManifest(ctx context.Context, s Store, network, client, id string) (*Manifest, error) {
	latest := id == ""
	id, err := resolveID(ctx, s, network, client, id)
	if err != nil {
		return nil, err
	}
	return loadManifest(ctx, s, network, client, id, latest)
}

// resolveID returns id, or the id latest names for network and client when
// it is empty.
func resolveID(ctx context.Context, s Store, network, client, id string) (string, error) {
	if id == "" {
		r, err := s.Get(ctx, latestKey(network, client))
		if errors.Is(err, ErrNotFound) {
			return "", fmt.Errorf("snapshot: %s has no snapshot of %s %s: %w", s, network, client, ErrNoSnapshot)
		}
		if err != nil {
			return "", fmt.Errorf("snapshot: latest: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(r, 256))
		r.Close()
		if err != nil {
			return "", fmt.Errorf("snapshot: latest: %w", err)
		}
		id = strings.TrimSpace(string(b))
	}
	return id, checkID(id)
}

// checkID fails unless id can name a snapshot: one path element.
func checkID(id string) error {
	if id == "" || id == "." || strings.ContainsAny(id, "/\\") || !fs.ValidPath(id) {
		return fmt.Errorf("snapshot: %q is not a snapshot id", id)
	}
	return nil
}

// loadManifest reads and checks the manifest of snapshot id, which latest
// named if latest is set.
func loadManifest(ctx context.Context, s Store, network, client, id string, latest bool) (*Manifest, error) {
	var m Manifest
	err := getJSON(ctx, s, manifestKey(network, client, id), &m)
	switch {
	case errors.Is(err, ErrNotFound) && latest:
		return nil, fmt.Errorf("snapshot: %s is damaged: its latest snapshot of %s %s is %s, whose manifest is missing (a snapshot taken now mends it)", s, network, client, id)
	case errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("snapshot: %s has no manifest %s for %s %s (another network or client?): %w", s, id, network, client, ErrNoSnapshot)
	case err != nil:
		return nil, fmt.Errorf("snapshot: manifest %s: %w", id, err)
	}
	switch {
	case m.Version != manifestVersion:
		return nil, fmt.Errorf("snapshot: manifest %s has version %d; this ethfleet reads version %d", id, m.Version, manifestVersion)
	case m.Network != network || m.Client != client:
		return nil, fmt.Errorf("snapshot: manifest %s is of %s %s, not %s %s", id, m.Network, m.Client, network, client)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("snapshot: manifest %s is damaged: %w", id, err)
	}
	return &m, nil
}

// List returns the manifests of network and client (every one when both
// are empty), oldest first.
func List(ctx context.Context, s Store, network, client string) ([]*Manifest, error) {
	prefix := "manifests/"
	if network != "" {
		prefix += network + "/"
		if client != "" {
			prefix += client + "/"
		}
	}
	var keys []string
	err := s.List(ctx, prefix, func(o Object) error {
		if strings.HasSuffix(o.Key, ".json") {
			keys = append(keys, o.Key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: list: %w", err)
	}
	var out []*Manifest
	for _, k := range keys {
		var m Manifest
		if err := getJSON(ctx, s, k, &m); err != nil {
			return nil, fmt.Errorf("snapshot: list: %w", err)
		}
		out = append(out, &m)
	}
	slices.SortFunc(out, func(a, b *Manifest) int { return a.Created.Compare(b.Created) })
	return out, nil
}
