package s3store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ethfleet/ethfleet/internal/snapshot"
)

// TestWrongCredentialsLeakNothing runs every operation with a wrong secret
// key and a wrong access key: each fails, not with not found, with an error
// naming the bucket and key but neither the secret given nor the right one.
func TestWrongCredentialsLeakNothing(t *testing.T) {
	ctx := context.Background()
	good := testServer(t)
	if good.SecretKey == "" {
		t.Skipf("%s has no %s: the credentials come from the environment", envURL, envSecretKey)
	}
	// Something real to fail to read.
	if err := newTestStore(t, good).Put(ctx, "manifests/m.json", strings.NewReader("{}"), 2); err != nil {
		t.Fatal(err)
	}
	wrongSecret := "wrong-secret-" + randomHex(t, 8)
	for _, tt := range []struct {
		name string
		cfg  func(Config) Config
	}{
		{"wrong secret key", func(c Config) Config { c.SecretKey = wrongSecret; return c }},
		{"wrong access key", func(c Config) Config { c.AccessKey = "ethfleet-nobody"; return c }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg(good)
			s, err := New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, str := range []string{s.String(), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
				checkNoSecret(t, "String", str, good.SecretKey, wrongSecret)
			}
			key := "manifests/m.json"
			ops := map[string]error{}
			_, ops["Get"] = s.Get(ctx, key)
			_, ops["Stat"] = s.Stat(ctx, key)
			ops["Put"] = s.Put(ctx, key, strings.NewReader("{}"), 2)
			ops["Delete"] = s.Delete(ctx, key)
			ops["List"] = s.List(ctx, "manifests/", func(snapshot.Object) error { return nil })
			for op, err := range ops {
				if err == nil {
					t.Errorf("%s with %s succeeded", op, tt.name)
					continue
				}
				if errors.Is(err, snapshot.ErrNotFound) {
					t.Errorf("%s with %s: %v, taken for not found", op, tt.name, err)
				}
				if !strings.Contains(err.Error(), "s3://"+cfg.Bucket+"/") {
					t.Errorf("%s: %v, want the error to name the bucket", op, err)
				}
				if op != "List" && !strings.Contains(err.Error(), key) {
					t.Errorf("%s: %v, want the error to name the key", op, err)
				}
				checkNoSecret(t, op, err.Error(), good.SecretKey, wrongSecret)
			}
			t.Logf("e.g. Get: %v", ops["Get"])
		})
	}
}

func checkNoSecret(t *testing.T, what, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("%s shows a secret key: %s", what, s)
		}
	}
}
