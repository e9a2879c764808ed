package devnet

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
)

// loadOrCreateKey returns the faucet key stored at path, creating it on
// first use. The faucet is funded in the genesis block, so the key must stay
// the same for the chain on disk to keep its genesis.
func loadOrCreateKey(path string) (*ecdsa.PrivateKey, error) {
	key, err := crypto.LoadECDSA(path)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load key %s: %w", path, err)
	}
	if key, err = crypto.GenerateKey(); err != nil {
		return nil, err
	}
	if err := crypto.SaveECDSA(path, key); err != nil {
		return nil, fmt.Errorf("save key %s: %w", path, err)
	}
	return key, nil
}

// loadOrCreateJWTSecret returns the 32-byte engine API secret stored hex
// encoded at path (the format go-ethereum reads), creating it on first use.
func loadOrCreateJWTSecret(path string) ([32]byte, error) {
	var secret [32]byte
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(data)), "0x"))
		if err != nil || len(b) != len(secret) {
			return secret, fmt.Errorf("jwt secret %s: want 32 hex-encoded bytes", path)
		}
		copy(secret[:], b)
		return secret, nil
	case errors.Is(err, fs.ErrNotExist):
		if _, err := rand.Read(secret[:]); err != nil {
			return secret, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return secret, err
		}
		return secret, os.WriteFile(path, []byte(hex.EncodeToString(secret[:])), 0o600)
	default:
		return secret, fmt.Errorf("jwt secret: %w", err)
	}
}
