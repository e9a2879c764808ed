package k8s

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// leaked is what every ${NAME} of the test fleets resolves to: it must
// appear in no rendered file.
const leaked = "leakedsecretvalue0123456789"

type fleetCase struct {
	name, path string
	// tweak adapts a description written for another target.
	tweak func(*config.Config)
}

var fleets = []fleetCase{
	{name: "hoodi", path: "../../../examples/hoodi.yaml"},
	{name: "mainnet", path: "../../../examples/mainnet.yaml", tweak: func(c *config.Config) {
		// EBS snapshots are AWS's; here that node syncs from peers.
		for i := range c.Nodes {
			if c.Nodes[i].Snapshot.Source == config.SnapshotEBS {
				c.Nodes[i].Snapshot.Source = config.SnapshotNone
			}
		}
	}},
	{name: "classic", path: "../../../examples/classic.yaml"},
	{name: "classic-mining", path: "../../../examples/classic-mining.yaml"},
	{name: "volumesnapshot", path: "testdata/volumesnapshot.yaml"},
}

// load reads a test fleet with every secret resolved to leaked, as a
// careless renderer would print it.
func load(t *testing.T, fc fleetCase) *config.Config {
	t.Helper()
	data, err := os.ReadFile(fc.path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(fc.path, data, func(string) (string, bool) { return leaked, true })
	if err != nil {
		t.Fatal(err)
	}
	if fc.tweak != nil {
		fc.tweak(cfg)
	}
	if err := cfg.CheckTarget(config.TargetKubernetes); err != nil {
		t.Fatalf("%s cannot be deployed to Kubernetes: %v", fc.path, err)
	}
	return cfg
}

func renderFleet(t *testing.T, fc fleetCase) (*config.Config, []render.File) {
	t.Helper()
	cfg := load(t, fc)
	files, err := Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, files
}

func TestGolden(t *testing.T) {
	for _, fc := range fleets {
		t.Run(fc.name, func(t *testing.T) {
			_, files := renderFleet(t, fc)
			dir := filepath.Join("testdata", "golden", fc.name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := render.Write(dir, files); err != nil {
					t.Fatal(err)
				}
			}
			want, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				path := filepath.Join(dir, f.Path)
				got = append(got, path)
				golden, err := os.ReadFile(path)
				if err != nil {
					t.Errorf("%v (run go test -update)", err)
					continue
				}
				if !bytes.Equal(f.Data, golden) {
					t.Errorf("%s differs from what is rendered (run go test -update and review the diff)", path)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("rendered %q, golden files are %q", got, want)
			}
		})
	}
}

// decode reads every document of files strictly into the typed object
// its apiVersion and kind name: an unknown field is an error.
func decode(t *testing.T, files []render.File) []any {
	t.Helper()
	var objs []any
	for _, f := range files {
		for i, doc := range strings.Split(string(f.Data), "\n---\n") {
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatalf("%s document %d: %v", f.Path, i, err)
			}
			obj := newObject(tm)
			if obj == nil {
				t.Fatalf("%s document %d: unexpected %s %s", f.Path, i, tm.APIVersion, tm.Kind)
			}
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Fatalf("%s document %d (%s): %v", f.Path, i, tm.Kind, err)
			}
			objs = append(objs, obj)
		}
	}
	return objs
}

func newObject(tm metav1.TypeMeta) any {
	switch tm.APIVersion + " " + tm.Kind {
	case "v1 Namespace":
		return &corev1.Namespace{}
	case "v1 ServiceAccount":
		return &corev1.ServiceAccount{}
	case "v1 PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}
	case "rbac.authorization.k8s.io/v1 Role":
		return &rbacv1.Role{}
	case "rbac.authorization.k8s.io/v1 RoleBinding":
		return &rbacv1.RoleBinding{}
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}
	case "v1 Service":
		return &corev1.Service{}
	case "apps/v1 StatefulSet":
		return &appsv1.StatefulSet{}
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "networking.k8s.io/v1 NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	case "monitoring.coreos.com/v1 ServiceMonitor":
		return &monitoringv1.ServiceMonitor{}
	case "monitoring.coreos.com/v1 PrometheusRule":
		return &monitoringv1.PrometheusRule{}
	}
	return nil
}

// all returns the objects of type T.
func all[T any](objs []any) []T {
	var ts []T
	for _, o := range objs {
		if t, ok := o.(T); ok {
			ts = append(ts, t)
		}
	}
	return ts
}

func TestNoSecretRendered(t *testing.T) {
	for _, fc := range fleets {
		_, files := renderFleet(t, fc)
		for _, f := range files {
			if bytes.Contains(f.Data, []byte(leaked)) {
				t.Errorf("%s %s carries a resolved secret", fc.name, f.Path)
			}
		}
	}
}

func TestRefusesEBS(t *testing.T) {
	cfg := load(t, fleets[0])
	cfg.Nodes[0].Snapshot.Source = config.SnapshotEBS
	if _, err := Render(cfg); err == nil || !strings.Contains(err.Error(), "not offered on Kubernetes") {
		t.Errorf("Render with an ebs source: %v", err)
	}
}

func TestReferences(t *testing.T) {
	tests := []struct {
		in         string
		names      []string
		expandable string
	}{
		{"s3://bucket/p", nil, "s3://bucket/p"},
		{"s3://${BUCKET}/p?region=${REGION}&x=${BUCKET}", []string{"BUCKET", "REGION"}, "s3://$(BUCKET)/p?region=$(REGION)&x=$(BUCKET)"},
		{"a$(b)${C}", []string{"C"}, "a$$(b)$(C)"},
	}
	for _, tt := range tests {
		if got := config.References(tt.in); !slices.Equal(got, tt.names) {
			t.Errorf("config.References(%q) = %q, want %q", tt.in, got, tt.names)
		}
		if got := expandable(tt.in); got != tt.expandable {
			t.Errorf("expandable(%q) = %q, want %q", tt.in, got, tt.expandable)
		}
	}
}
