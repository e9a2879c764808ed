package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRender renders each example for the targets it is meant for, and
// refuses, writing nothing, what cannot be deployed.
func TestRender(t *testing.T) {
	tests := []struct {
		target, example string
		wantFile        string // a file the render writes
		wantErr         string
	}{
		{"aws", "mainnet", "template.yaml", ""},
		{"aws", "classic", "parameters.json", ""},
		{"k8s", "hoodi", "00-namespace.yaml", ""},
		{"compose", "hoodi", "compose.yaml", ""},
		{"compose", "classic", "compose.yaml", ""},
		{"k8s", "mainnet", "", "nodes[0].snapshot.source: ebs is not offered on k8s"},
		{"aws", "hoodi", "", "aws.vpcId: is required"},
		{"aws", "ethfleet", "", "nodes: is empty"},
		{"compose", "../internal/config/testdata/deploy.bad", "", "is not valid:"},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+tt.example, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			stdout, err := run(context.Background(), "render", tt.target, "--config", "../../examples/"+tt.example+".yaml", "--out", out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("a refused render wrote %s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(out, tt.wantFile)); err != nil || !strings.Contains(stdout, tt.wantFile) {
				t.Errorf("%s not written or not listed: %v\n%s", tt.wantFile, err, stdout)
			}
		})
	}
}
