// Package dag makes the full ethash dataset (the DAG) a miner hashes
// against, and shares it on disk between the miners of a host or a shared
// file system.
//
// The dataset of an epoch is computed from the epoch's verification cache
// as the Ethash spec defines (cache generation, calcDatasetItem, full
// hashimoto), written here because powkit does not expose its dataset items
// and the one Go library that does (go-etchash) is GPL-3.0. Tests prove it
// against powkit's light verification.
//
// Ensure returns an epoch's dataset memory-mapped read-only from a file in
// a directory. The first process to find the file missing takes an
// exclusive flock on the epoch's lock file and generates it (into a
// temporary file, renamed into place when complete); the others wait for
// the lock or the file and then map the finished file. A leader that dies
// loses its lock with its process; its temporary file is removed by the
// next leader. Whoever holds a dataset also prepares the next epoch's in
// the background, unless someone else already is.
package dag
