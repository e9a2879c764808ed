package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"testing"
)

// FuzzLoadManifest: whatever a store holds as a manifest, LoadManifest
// either refuses it or returns one a restore can follow safely: every path
// inside the data directory, every chunk a SHA-256 of at most ChunkSize,
// every file's chunks adding up to its size.
func FuzzLoadManifest(f *testing.F) {
	hash := "ab" + string(bytes.Repeat([]byte("cd"), 31))
	good, _ := json.Marshal(Manifest{Version: manifestVersion, ID: "m1", Network: "devnet", Client: "geth",
		Files: []File{{Path: "geth", Mode: fs.ModeDir | 0o755}, {Path: "geth/a", Mode: 0o644, Size: 3, Chunks: []Chunk{{hash, 3}}}}})
	f.Add(good)
	f.Add(bytes.Replace(good, []byte(`"geth/a"`), []byte(`"../a"`), 1))
	f.Add(bytes.Replace(good, []byte(`"size": 3`), []byte(`"size": -3`), 1))
	f.Add([]byte(`{"version":1,"id":"m1","network":"devnet","client":"geth","files":[{"path":"a","mode":0,"size":0}]}`))
	f.Add([]byte(`{"version":1`))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewMemStore()
		s.Put(ctx, manifestKey("devnet", "geth", "m1"), bytes.NewReader(data), int64(len(data)))
		m, err := LoadManifest(ctx, s, "devnet", "geth", "m1")
		if err != nil {
			return
		}
		for _, file := range m.Files {
			if !fs.ValidPath(file.Path) || file.Path == "." {
				t.Fatalf("accepted path %q", file.Path)
			}
			var sum int64
			for _, c := range file.Chunks {
				if len(c.Hash) != 64 || c.Size < 1 || c.Size > ChunkSize {
					t.Fatalf("accepted chunk %+v", c)
				}
				sum += c.Size
			}
			if file.Mode.IsRegular() && sum != file.Size {
				t.Fatalf("accepted %q: chunks %d, size %d", file.Path, sum, file.Size)
			}
			if !file.Mode.IsRegular() && !file.Mode.IsDir() {
				t.Fatalf("accepted mode %v", file.Mode)
			}
		}
	})
}
