package gateway

import (
	"net/http/httptest"
	"testing"
)

func TestKeysIdentify(t *testing.T) {
	keys := NewKeys([]APIKey{{Name: "backend", Key: "k-backend-0123456789"}, {Name: "ops", Key: "k-ops-0123456789abc"}})
	open := NewKeys(nil)
	tests := []struct {
		name, path, auth string
		keys             *Keys
		want             string
		wantErr          bool
	}{
		{"bearer", "/", "Bearer k-backend-0123456789", keys, "backend", false},
		{"bearer any case", "/", "bearer k-ops-0123456789abc", keys, "ops", false},
		{"path", "/k-ops-0123456789abc", "", keys, "ops", false},
		{"bearer wins over path", "/k-ops-0123456789abc", "Bearer k-backend-0123456789", keys, "backend", false},
		{"missing", "/", "", keys, "", true},
		{"wrong", "/", "Bearer k-backend-012345678X", keys, "", true},
		{"wrong path", "/nope", "", keys, "", true},
		{"nested path", "/v3/k-ops-0123456789abc", "", keys, "", true},
		{"basic auth is not a key", "/", "Basic azpr", keys, "", true},
		{"no keys configured", "/anything", "", open, "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", tt.path, nil)
		if tt.auth != "" {
			r.Header.Set("Authorization", tt.auth)
		}
		got, err := tt.keys.Identify(r)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: Identify = %q, %v; want %q, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestKeysKeepOnlyDigests(t *testing.T) {
	k := NewKeys([]APIKey{{Name: "backend", Key: "k-backend-0123456789"}})
	for _, d := range k.digests {
		if string(d[:]) == "k-backend-0123456789" {
			t.Fatal("key stored in the clear")
		}
	}
}
