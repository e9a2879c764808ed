package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
)

// APIKey is a key a client presents, with the name it is known by in logs
// and metrics.
type APIKey struct {
	Name string
	Key  string
}

// Keys holds API keys as SHA-256 digests only.
type Keys struct {
	names   []string
	digests [][sha256.Size]byte
}

// NewKeys digests keys. With no keys, every request is let through.
func NewKeys(keys []APIKey) *Keys {
	k := &Keys{}
	for _, key := range keys {
		k.names = append(k.names, key.Name)
		k.digests = append(k.digests, sha256.Sum256([]byte(key.Key)))
	}
	return k
}

var errUnauthorized = errors.New("unauthorized: missing or unknown API key")

// Identify returns the name of the key r presents, as "Authorization:
// Bearer KEY" or as the path "/KEY". It compares the presented key's digest
// with every stored digest in constant time, so neither the answer's timing
// nor which key matched tells anything about the keys. With no keys
// configured it returns "".
func (k *Keys) Identify(r *http.Request) (string, error) {
	if len(k.digests) == 0 {
		return "", nil
	}
	presented := bearer(r)
	if presented == "" {
		presented = strings.TrimPrefix(r.URL.Path, "/")
	}
	if presented == "" || strings.Contains(presented, "/") {
		return "", errUnauthorized
	}
	digest := sha256.Sum256([]byte(presented))
	match := -1
	for i, d := range k.digests {
		if subtle.ConstantTimeCompare(digest[:], d[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return "", errUnauthorized
	}
	return k.names[match], nil
}

func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
