package k8s

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Names of the objects the whole fleet shares.
const (
	serviceAccount = "ethfleet"
	gatewayName    = "ethfleet-gateway"
	// keysSecret holds one key per ${NAME} of the fleet description.
	keysSecret = "ethfleet-gateway-keys"
	// s3Secret holds the S3 credentials of snapshot restores.
	s3Secret = "ethfleet-s3"
	// uid is the ethfleet image's user; every container runs as it.
	uid = 65532
	// configDir is where a ConfigMap's fleet description is mounted.
	configDir = "/etc/ethfleet"
)

// Components, the value of app.kubernetes.io/component.
const (
	componentNode    = "node"
	componentGateway = "gateway"
)

// fleet is what every manifest is rendered from.
type fleet struct {
	cfg   *config.Config
	ns    string
	nodes []node
}

// manifest is one rendered file's objects.
type manifest struct {
	path string
	objs []any
}

// Render returns the manifests of cfg's deployed nodes and gateways, and
// of its mining cluster when mining.deploy is set.
func Render(cfg *config.Config) ([]render.File, error) {
	f := &fleet{cfg: cfg, ns: cfg.Kubernetes.Namespace}
	for _, n := range cfg.DeployedNodes() {
		nd, err := f.node(n)
		if err != nil {
			return nil, err
		}
		f.nodes = append(f.nodes, nd)
	}
	manifests := []manifest{
		{"00-namespace.yaml", f.namespace()},
		{"10-network-policy.yaml", f.networkPolicies()},
	}
	for _, nd := range f.nodes {
		manifests = append(manifests, manifest{"20-node-" + nd.name + ".yaml", nd.objects()})
	}
	gateway, err := f.gateway()
	if err != nil {
		return nil, err
	}
	monitoring, err := f.monitoring()
	if err != nil {
		return nil, err
	}
	manifests = append(manifests, manifest{"30-gateway.yaml", gateway}, manifest{"40-monitoring.yaml", monitoring})
	if render.Mining(cfg) {
		mining, err := f.mining()
		if err != nil {
			return nil, err
		}
		manifests = append(manifests, manifest{"50-mining.yaml", mining})
	}

	files := make([]render.File, 0, len(manifests))
	for _, m := range manifests {
		data, err := encode(m.objs...)
		if err != nil {
			return nil, fmt.Errorf("k8s: %s: %w", m.path, err)
		}
		files = append(files, render.File{Path: m.path, Data: data})
	}
	slices.SortFunc(files, func(a, b render.File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// selector returns the labels that pick the pods of one instance (a node,
// or "gateway") of a component.
func selector(instance, component string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":      "ethfleet",
		"app.kubernetes.io/instance":  instance,
		"app.kubernetes.io/component": component,
	}
}

// labels returns the labels of every object of one instance: its selector
// and the fleet's.
func labels(instance, component string) map[string]string {
	l := selector(instance, component)
	maps.Copy(l, fleetLabels())
	return l
}

// fleetLabels are on every object and pod of the fleet; network policies
// let pods carrying them in.
func fleetLabels() map[string]string {
	return map[string]string{
		"app.kubernetes.io/part-of":    "ethfleet",
		"app.kubernetes.io/managed-by": "ethfleet",
	}
}

// meta names an object of the fleet's namespace.
func (f *fleet) meta(name string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: f.ns, Labels: labels}
}
