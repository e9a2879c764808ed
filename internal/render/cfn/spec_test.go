package cfn

import (
	"errors"
	"testing"

	"github.com/ethfleet/ethfleet/internal/render/cfn/spec"
	"github.com/ethfleet/ethfleet/internal/render/cfn/spec/spectest"
)

// TestTemplatesMatchSpec checks every rendered template against AWS's
// published resource specification: resource types, properties at every
// depth, required properties, value types, attributes and references.
func TestTemplatesMatchSpec(t *testing.T) {
	s := spectest.Spec(t)
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			err := s.Validate(renderFiles(t, load(t, name))["template.yaml"])
			var problems spec.Problems
			if errors.As(err, &problems) {
				for _, p := range problems {
					t.Error(p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
