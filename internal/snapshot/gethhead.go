package snapshot

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/ethdb/pebble"
)

// GethHead reads the head block of a stopped go-ethereum node from its
// data directory (the one holding geth/chaindata), opening the database
// read-only.
func GethHead(dataDir string) (Head, error) {
	chaindata := filepath.Join(dataDir, "geth", "chaindata")
	if manifests, _ := filepath.Glob(filepath.Join(chaindata, "MANIFEST-*")); len(manifests) == 0 {
		return Head{}, fmt.Errorf("snapshot: %s holds no go-ethereum database (no geth/chaindata/MANIFEST-*): is it the node's data directory, and the node's client geth?", dataDir)
	}
	kv, err := pebble.New(chaindata, 16, 16, "", true)
	if err != nil {
		return Head{}, fmt.Errorf("snapshot: open %s (is geth still running?): %w", chaindata, err)
	}
	db, err := rawdb.Open(kv, rawdb.OpenOptions{Ancient: filepath.Join(chaindata, "ancient"), ReadOnly: true})
	if err != nil {
		kv.Close()
		return Head{}, fmt.Errorf("snapshot: open %s: %w", chaindata, err)
	}
	defer db.Close()
	hash := rawdb.ReadHeadBlockHash(db)
	number, ok := rawdb.ReadHeaderNumber(db, hash)
	if !ok {
		return Head{}, errors.New("snapshot: " + chaindata + " has no head block")
	}
	return Head{Number: number, Hash: hash.Hex()}, nil
}
