// Package spectest gives tests the CloudFormation resource specification,
// loaded once per test binary.
package spectest

import (
	"errors"
	"io/fs"
	"os"
	"sync"
	"testing"

	"github.com/ethfleet/ethfleet/internal/render/cfn/spec"
)

// Skipped is the message of a test skipped for want of the specification.
const Skipped = "CloudFormation spec not found: run .ci/fetch-cfn-spec"

var (
	once   sync.Once
	loaded *spec.Spec
	err    error
)

// Spec returns the specification spec.Find locates. When it is not there,
// the test is skipped, or fails if $CI is set (CI fetches it first).
func Spec(t testing.TB) *spec.Spec {
	t.Helper()
	once.Do(func() {
		var path string
		path, err = spec.Find()
		if err == nil {
			loaded, err = spec.Load(path)
		}
	})
	switch {
	case errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") == "":
		t.Skip(Skipped)
	case errors.Is(err, fs.ErrNotExist):
		t.Fatalf("%s (%v)", Skipped, err)
	case err != nil:
		t.Fatal(err)
	}
	return loaded
}
