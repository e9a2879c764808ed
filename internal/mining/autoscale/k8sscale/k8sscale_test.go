package k8sscale

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ethfleet/ethfleet/internal/mining/autoscale/providertest"
)

func inClusterAPI(t *testing.T, dir string) *APIServer {
	t.Helper()
	api, err := inCluster(dir)
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func TestConformance(t *testing.T) {
	f, dir := startFake(t)
	f.deploy("mining", "miner", 1)
	providertest.Run(t, New(inClusterAPI(t, dir), "mining", "miner"))
}

func TestRunningFollows(t *testing.T) {
	f, dir := startFake(t)
	f.deploy("mining", "miner", 1)
	p := New(inClusterAPI(t, dir), "mining", "miner")
	if err := p.SetDesired(t.Context(), 3); err != nil {
		t.Fatal(err)
	}
	for _, want := range [][2]int{{3, 1}, {3, 3}} {
		if d, r, err := p.Current(t.Context()); err != nil || d != want[0] || r != want[1] {
			t.Errorf("Current = %d, %d, %v; want %d, %d", d, r, err, want[0], want[1])
		}
	}
}

func TestStatusErrors(t *testing.T) {
	f, dir := startFake(t)
	f.deploy("mining", "miner", 1)
	api := inClusterAPI(t, dir)
	badToken := *api
	badToken.TokenFile = filepath.Join(t.TempDir(), "token")
	os.WriteFile(badToken.TokenFile, []byte("wrong"), 0o600)

	tests := []struct {
		name   string
		call   func() error
		code   int
		reason metav1.StatusReason
		msg    string
	}{
		{"unknown deployment", func() error { _, err := api.GetScale(t.Context(), "mining", "nope"); return err },
			404, metav1.StatusReasonNotFound, `deployments.apps "nope" not found`},
		{"negative replicas", func() error { _, err := api.SetReplicas(t.Context(), "mining", "miner", -1); return err },
			422, metav1.StatusReasonInvalid, "must be greater than or equal to 0"},
		{"wrong token", func() error { _, err := badToken.GetScale(t.Context(), "mining", "miner"); return err },
			401, metav1.StatusReasonUnauthorized, "Unauthorized"},
		{"provider wraps the status", func() error { _, _, err := New(api, "other", "miner").Current(t.Context()); return err },
			404, metav1.StatusReasonNotFound, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a StatusError", err)
			}
			if se.Code != tt.code || se.Reason != tt.reason || !strings.Contains(se.Message, tt.msg) {
				t.Errorf("got %d %s %q, want %d %s ~%q", se.Code, se.Reason, se.Message, tt.code, tt.reason, tt.msg)
			}
		})
	}
}

func TestInCluster(t *testing.T) {
	_, dir := startFake(t)
	api := inClusterAPI(t, dir)
	if !strings.HasPrefix(api.Server, "https://127.0.0.1:") || api.TokenFile != filepath.Join(dir, "token") {
		t.Errorf("server %s, token %s", api.Server, api.TokenFile)
	}
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	if _, err := inCluster(dir); err == nil {
		t.Error("no KUBERNETES_SERVICE_HOST is not an error")
	}
	// A CA file with no certificate in it is refused.
	os.WriteFile(filepath.Join(dir, "ca.crt"), []byte("not a certificate"), 0o600)
	t.Setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
	if _, err := inCluster(dir); err == nil || !strings.Contains(err.Error(), "no certificate") {
		t.Errorf("bad ca.crt: %v", err)
	}
}
