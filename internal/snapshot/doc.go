// Package snapshot takes content-addressed snapshots of a node's data
// directory and restores them.
//
// Files are split into chunks suited to how they change: go-ethereum's
// pebble tables (.sst) are never modified, so they are cut into chunks of
// ChunkSize from offset 0; its freezer files and MANIFEST only grow, so a
// grown one keeps its chunks of the last snapshot, the last one short
// included, and only the bytes appended after them make new chunks.
// Chunks are compressed with zstd and stored under their SHA-256, so a
// chunk already in the store is never uploaded again. A manifest per snapshot names every file and its chunks; it is
// written last, atomically, and a latest pointer per network and client
// follows it. A local index remembers each file's chunks by size and
// modification time, so unchanged files are not read again.
//
// Stores hold opaque objects by key: a directory (file://), S3 or an
// S3-compatible server (s3://), or memory in tests.
package snapshot
