package k8s

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// miningComponent reports whether an object's labels place it in the
// mining cluster.
func miningComponent(l map[string]string) bool {
	switch l["app.kubernetes.io/component"] {
	case componentPool, componentMiner, componentAutoscaler:
		return true
	}
	return false
}

// checkMining: with mining.deploy, one pool behind a Service, miners the
// autoscaler alone sizes sharing a ReadWriteMany DAG claim, an autoscaler
// that may scale the miners' Deployment and nothing else, and policies
// that let only miners, the autoscaler and RPC clients reach the pool;
// without it, none of this.
func checkMining(t *testing.T, cfg *config.Config, objs []any) {
	t.Helper()
	deps := map[string]*appsv1.Deployment{}
	for _, d := range all[*appsv1.Deployment](objs) {
		deps[d.Name] = d
	}
	if !render.Mining(cfg) {
		if deps[poolName] != nil || deps[minerName] != nil || len(all[*rbacv1.Role](objs)) > 0 {
			t.Error("a mining cluster, without mining.deploy")
		}
		return
	}
	pool, miners, scaler := deps[poolName], deps[minerName], deps[autoscalerName]
	if pool == nil || miners == nil || scaler == nil {
		t.Fatalf("Deployments %v: want the pool's, the miners' and the autoscaler's", slices.Sorted(maps.Keys(deps)))
	}
	if pool.Spec.Replicas == nil || *pool.Spec.Replicas != 1 || scaler.Spec.Replicas == nil || *scaler.Spec.Replicas != 1 {
		t.Errorf("pool replicas %v, autoscaler replicas %v; want one each", pool.Spec.Replicas, scaler.Spec.Replicas)
	}
	if miners.Spec.Replicas != nil {
		t.Errorf("the miners' replicas are set (%d): applying the manifest would undo the autoscaler", *miners.Spec.Replicas)
	}
	checkDAGClaim(t, cfg, objs, miners)
	checkAutoscalerRBAC(t, objs, scaler)
	for _, s := range all[*corev1.Service](objs) {
		if s.Name != poolName {
			continue
		}
		var ports []int32
		for _, p := range s.Spec.Ports {
			ports = append(ports, p.Port)
		}
		if !slices.Equal(ports, []int32{8008, 8009}) || s.Spec.Type != corev1.ServiceTypeClusterIP {
			t.Errorf("pool Service %s on %v, want a ClusterIP on 8008 and 8009", s.Spec.Type, ports)
		}
	}
	checkPoolPolicy(t, cfg, objs)
	for name, d := range deps {
		token := d.Spec.Template.Spec.AutomountServiceAccountToken
		if want := name == autoscalerName; token == nil || *token != want {
			t.Errorf("%s mounts a service account token: %v, want %v", name, token, want)
		}
	}
}

func checkDAGClaim(t *testing.T, cfg *config.Config, objs []any, miners *appsv1.Deployment) {
	t.Helper()
	var claim *corev1.PersistentVolumeClaim
	for _, c := range all[*corev1.PersistentVolumeClaim](objs) {
		if c.Name == dagClaim {
			claim = c
		}
	}
	if claim == nil || !slices.Equal(claim.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}) {
		t.Fatalf("DAG claim %+v, want ReadWriteMany", claim)
	}
	if sc := claim.Spec.StorageClassName; sc == nil || *sc != cfg.Mining.Deploy.DAGStorageClass {
		t.Errorf("DAG claim's storage class %v, want %q", sc, cfg.Mining.Deploy.DAGStorageClass)
	}
	pod := miners.Spec.Template.Spec
	mounted := false
	for _, v := range pod.Volumes {
		if pvc := v.PersistentVolumeClaim; pvc != nil && pvc.ClaimName == dagClaim {
			for _, m := range pod.Containers[0].VolumeMounts {
				mounted = mounted || (m.Name == v.Name && m.MountPath == render.DAGDir)
			}
		}
	}
	if !mounted {
		t.Errorf("the miners do not mount %s at %s", dagClaim, render.DAGDir)
	}
}

// checkAutoscalerRBAC: the autoscaler's account may get and change the
// scale of the miners' Deployment, by name, and nothing else.
func checkAutoscalerRBAC(t *testing.T, objs []any, scaler *appsv1.Deployment) {
	t.Helper()
	roles := all[*rbacv1.Role](objs)
	if len(roles) != 1 {
		t.Fatalf("%d Roles, want the autoscaler's", len(roles))
	}
	want := []rbacv1.PolicyRule{{
		APIGroups: []string{"apps"}, Resources: []string{"deployments/scale"},
		ResourceNames: []string{minerName}, Verbs: []string{"get", "patch", "update"},
	}}
	if !reflect.DeepEqual(roles[0].Rules, want) {
		t.Errorf("autoscaler Role rules %+v, want %+v", roles[0].Rules, want)
	}
	bindings := all[*rbacv1.RoleBinding](objs)
	if len(bindings) != 1 || bindings[0].RoleRef.Name != roles[0].Name ||
		!reflect.DeepEqual(bindings[0].Subjects, []rbacv1.Subject{{Kind: "ServiceAccount", Name: scaler.Spec.Template.Spec.ServiceAccountName, Namespace: scaler.Namespace}}) {
		t.Errorf("RoleBindings %+v do not bind the Role to the autoscaler's account", bindings)
	}
}

func checkPoolPolicy(t *testing.T, cfg *config.Config, objs []any) {
	t.Helper()
	policies := map[string]*networkingv1.NetworkPolicy{}
	for _, p := range all[*networkingv1.NetworkPolicy](objs) {
		policies[p.Name] = p
	}
	for _, name := range []string{minerName, autoscalerName} {
		if p := policies[name]; p == nil || len(p.Spec.Ingress) != 0 {
			t.Errorf("policy %s: %+v, want one that lets nothing in", name, p)
		}
	}
	p := policies[poolName]
	if p == nil || len(p.Spec.Ingress) != 1 {
		t.Fatalf("pool policy %+v, want one rule", p)
	}
	key, value, _ := strings.Cut(cfg.Kubernetes.RPCClientLabel, "=")
	want := []networkingv1.NetworkPolicyPeer{
		{PodSelector: &metav1.LabelSelector{MatchLabels: selector(minerName, componentMiner)}},
		{PodSelector: &metav1.LabelSelector{MatchLabels: selector(autoscalerName, componentAutoscaler)}},
		{NamespaceSelector: &metav1.LabelSelector{}, PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{key: value}}},
	}
	if !reflect.DeepEqual(p.Spec.Ingress[0].From, want) {
		t.Errorf("the pool is reached from %+v, want %+v", p.Spec.Ingress[0].From, want)
	}
	var ports []string
	for _, port := range p.Spec.Ingress[0].Ports {
		ports = append(ports, port.Port.String())
	}
	if !slices.Equal(ports, []string{"8008", "8009"}) {
		t.Errorf("the pool policy opens %v, want 8008 and 8009", ports)
	}
}

// TestMiningRefused: a proof-of-stake fleet has no work to mine.
func TestMiningRefused(t *testing.T) {
	cfg := load(t, fleets[0])
	cfg.Mining = load(t, fleetCase{path: "../../../examples/classic-mining.yaml"}).Mining
	if _, err := Render(cfg); err == nil || !strings.Contains(err.Error(), "proof-of-stake") {
		t.Errorf("mining on %s: %v", cfg.Network.Name, err)
	}
}
