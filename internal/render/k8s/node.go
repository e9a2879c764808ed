package k8s

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// node is one deployed node and what its manifests are made of.
type node struct {
	f    *fleet
	cfg  config.Node
	name string // the StatefulSet's, its Service's and its pod's prefix
	ec   clients.Client
	// cc is the consensus client; nil on a proof-of-work network.
	cc *clients.Client
	// agentConfig is the fleet description its agent runs from.
	agentConfig []byte
	// entrypoint, set on the fleet's snapshotter only, is the execution
	// image's, which its container runs through `ethfleet hold run`.
	entrypoint []string
}

// host is where a node's pod is reached in the cluster: the DNS name the
// headless Service gives the StatefulSet's only pod.
func (f *fleet) host(n config.Node) string {
	name := render.Name(n.Name)
	return fmt.Sprintf("%s-0.%s.%s.svc", name, name, f.ns)
}

// locate says where a node's clients are reached from any pod.
func (f *fleet) locate(n config.Node) render.NodeURLs {
	h := f.host(n)
	return render.Locate(n, h, h)
}

func (f *fleet) node(n config.Node) (node, error) {
	nd := node{f: f, cfg: n, name: render.Name(n.Name)}
	switch n.Snapshot.Source {
	case config.SnapshotStore, config.SnapshotVolume, config.SnapshotNone:
	default:
		return node{}, fmt.Errorf("k8s: node %s: snapshot source %q is not offered on Kubernetes", n.Name, n.Snapshot.Source)
	}
	ec, ok := clients.Lookup(clients.Execution, n.Execution.Client)
	if !ok {
		return node{}, fmt.Errorf("k8s: node %s: unknown execution client %q", n.Name, n.Execution.Client)
	}
	nd.ec = ec
	if n.Consensus != nil {
		cc, ok := clients.Lookup(clients.Consensus, n.Consensus.Client)
		if !ok {
			return node{}, fmt.Errorf("k8s: node %s: unknown consensus client %q", n.Name, n.Consensus.Client)
		}
		nd.cc = &cc
	}
	var opts render.AgentOptions
	if render.Snapshotter(f.cfg, n.Name) {
		ep, err := entrypoint(n, ec)
		if err != nil {
			return node{}, err
		}
		nd.entrypoint, opts.Hold = ep, holdDir
	}
	cfg, err := render.AgentConfig(f.cfg, n.Name, f.locate, opts)
	if err != nil {
		return node{}, fmt.Errorf("k8s: %w", err)
	}
	nd.agentConfig = cfg
	return nd, nil
}

// entrypoint is what the snapshotter's execution container runs once its
// agent lets it: the node's execution.entrypoint, or the catalog's for an
// image of the catalog image's repository.
func entrypoint(n config.Node, ec clients.Client) ([]string, error) {
	if ep := n.Execution.Entrypoint; len(ep) > 0 {
		return ep, nil
	}
	if ep, ok := ec.EntrypointOf(n.Execution.Image); ok {
		return ep, nil
	}
	return nil, fmt.Errorf("k8s: node %s is the snapshotter, whose execution client starts through `ethfleet hold run`: "+
		"set its execution.entrypoint to the ENTRYPOINT of %s (the catalog knows it for %s only)", n.Name, n.Execution.Image, ec.Image)
}

// snapshotter reports whether the node is the fleet's snapshotter.
func (nd node) snapshotter() bool { return nd.entrypoint != nil }

// objects returns the node's manifests: its agent's ConfigMap, its
// headless Service and its StatefulSet.
func (nd node) objects() []any {
	return []any{
		&corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: nd.meta(nd.name + "-agent"),
			Data:       map[string]string{"agent.yaml": string(nd.agentConfig)},
		},
		nd.service(),
		nd.statefulSet(),
	}
}

func (nd node) meta(name string) metav1.ObjectMeta {
	return nd.f.meta(name, labels(nd.name, componentNode))
}

// service is the node's headless Service: it names the pod in DNS, lists
// the ports the fleet and its clients reach, and publishes the pod's
// address before it is ready, for the gateways and agents that judge
// readiness themselves (and for Prometheus, which scrapes a syncing node).
func (nd node) service() *corev1.Service {
	var ports []corev1.ServicePort
	for _, p := range nd.ports() {
		if p.service() {
			ports = append(ports, corev1.ServicePort{
				Name: p.name, Port: p.number, TargetPort: intstr.FromString(p.name), Protocol: p.protocol,
			})
		}
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: nd.meta(nd.name),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			Selector:                 selector(nd.name, componentNode),
			PublishNotReadyAddresses: true,
			Ports:                    ports,
		},
	}
}

// statefulSet runs the node's pod, with its data on a volume claim that
// outlives the pod and the StatefulSet.
func (nd node) statefulSet() *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: nd.meta(nd.name),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            new(int32(1)),
			ServiceName:         nd.name,
			PodManagementPolicy: appsv1.ParallelPodManagement,
			UpdateStrategy:      appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
			Selector:            &metav1.LabelSelector{MatchLabels: selector(nd.name, componentNode)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels(nd.name, componentNode)},
				Spec:       nd.podSpec(),
			},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{nd.volumeClaim()},
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
				WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
			},
		},
	}
}

// volumeClaim is the node's data volume, started from a VolumeSnapshot
// when the node's snapshot source says so.
func (nd node) volumeClaim() corev1.PersistentVolumeClaim {
	size := resource.MustParse(fmt.Sprintf("%dGi", nd.cfg.Volume.SizeGiB))
	pvc := corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{Name: "data", Labels: labels(nd.name, componentNode)},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		},
	}
	if sc := nd.f.cfg.Kubernetes.StorageClass; sc != "" {
		pvc.Spec.StorageClassName = new(sc)
	}
	if nd.cfg.Snapshot.Source == config.SnapshotVolume {
		pvc.Spec.DataSource = &corev1.TypedLocalObjectReference{
			APIGroup: new("snapshot.storage.k8s.io"),
			Kind:     "VolumeSnapshot",
			Name:     nd.cfg.Snapshot.VolumeSnapshot,
		}
	}
	return pvc
}
