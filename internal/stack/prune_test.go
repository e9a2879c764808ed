package stack_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ethfleet/ethfleet/internal/stack"
	"github.com/ethfleet/ethfleet/internal/stack/stacktest"
)

func TestPrune(t *testing.T) {
	tests := []struct {
		name string
		put  int // templates of demo
	}{
		{"none", 0},
		{"fewer than kept", 3},
		{"as many as kept", stack.KeepTemplates},
		{"more", stack.KeepTemplates + 3},
	}
	key := func(n int) string { return fmt.Sprintf("ethfleet/demo/template-%02d.json", n) }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects := &stacktest.Objects{Buckets: []string{"fleet-templates"}}
			put := func(key string) {
				t.Helper()
				_, err := objects.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("fleet-templates"), Key: aws.String(key), Body: strings.NewReader("{}")})
				if err != nil {
					t.Fatal(err)
				}
			}
			// Numbered newest first, so that names sort against their age;
			// another stack's templates (this stack's name a prefix of its)
			// and other objects around them.
			put("ethfleet/demo-2/template-00.json")
			for i := range tt.put {
				put(key(tt.put - 1 - i))
				put(fmt.Sprintf("ethfleet/demo-2/template-%02d.json", i+1))
			}
			put("ethfleet/demo/notes.txt")
			up := &stack.Uploader{API: objects, Bucket: "fleet-templates", Region: "us-east-1"}
			deleted, err := up.Prune(ctx, "demo")
			if err != nil {
				t.Fatal(err)
			}
			var want []string // all but the newest, newest first
			for n := stack.KeepTemplates; n < tt.put; n++ {
				want = append(want, key(n))
			}
			if !slices.Equal(deleted, want) {
				t.Errorf("deleted %q, want %q", deleted, want)
			}
			for n := range tt.put {
				if _, ok := objects.Object("fleet-templates", key(n)); ok == slices.Contains(want, key(n)) {
					t.Errorf("%s kept: %v", key(n), ok)
				}
			}
			for _, key := range []string{"ethfleet/demo-2/template-00.json", "ethfleet/demo/notes.txt"} {
				if _, ok := objects.Object("fleet-templates", key); !ok {
					t.Errorf("%s, not one of demo's templates, was deleted", key)
				}
			}
		})
	}
	t.Run("no such bucket", func(t *testing.T) {
		up := &stack.Uploader{API: &stacktest.Objects{}, Bucket: "missing", Region: "us-east-1"}
		if _, err := up.Prune(ctx, "demo"); err == nil || !strings.Contains(err.Error(), "list the templates of demo in s3://missing") {
			t.Errorf("Prune: %v", err)
		}
	})
}
