package k8s

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Names of the mining cluster's objects.
const (
	poolName       = "ethfleet-pool"
	minerName      = "ethfleet-miner"
	autoscalerName = "ethfleet-autoscaler"
	// dagClaim is the miners' shared DAG directory.
	dagClaim = "ethfleet-dag"
	// dagSize holds the DAGs of two epochs with room to spare (an
	// etchash DAG is a few GiB).
	dagSize = "16Gi"
)

// Components of the mining cluster.
const (
	componentPool       = "pool"
	componentMiner      = "miner"
	componentAutoscaler = "autoscaler"
)

// mining returns the mining cluster's manifests, when the fleet deploys
// one: the DAG's claim, the pool, the miners and the autoscaler.
func (f *fleet) mining() ([]any, error) {
	if err := render.CheckMining(f.cfg); err != nil {
		return nil, fmt.Errorf("k8s: %w", err)
	}
	node := "" // CheckMining has made sure mining.node is set then
	if len(f.nodes) > 0 {
		node = f.locate(f.nodes[0].cfg).RPC
	}
	pool, err := render.PoolConfig(f.cfg, node)
	if err != nil {
		return nil, fmt.Errorf("k8s: %w", err)
	}
	d := f.cfg.Mining.Deploy
	miner, err := render.MinerConfig(f.cfg, f.poolHost(), d.MinerResources.CPU)
	if err != nil {
		return nil, fmt.Errorf("k8s: %w", err)
	}
	scale, err := render.AutoscaleConfig(f.cfg, render.Scaler{
		Provider: "k8s", Namespace: f.ns, Deployment: minerName, PoolHost: f.poolHost(),
	})
	if err != nil {
		return nil, fmt.Errorf("k8s: %w", err)
	}
	objs := []any{f.dagClaim()}
	objs = append(objs, f.pool(pool)...)
	objs = append(objs, f.configMap(minerName, componentMiner, "miner.yaml", miner), f.miners(miner))
	objs = append(objs, f.autoscaler(scale)...)
	return objs, nil
}

// poolHost is the pool's Service in cluster DNS.
func (f *fleet) poolHost() string { return fmt.Sprintf("%s.%s.svc", poolName, f.ns) }

// dagClaim is the miners' shared DAG directory: one miner writes a DAG,
// all of them read it, so the claim is ReadWriteMany, of
// mining.deploy.dagStorageClass (EFS, Filestore, Azure Files, NFS).
func (f *fleet) dagClaim() *corev1.PersistentVolumeClaim {
	pvc := &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: f.meta(dagClaim, labels(minerName, componentMiner)),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(dagSize)}},
		},
	}
	if sc := f.cfg.Mining.Deploy.DAGStorageClass; sc != "" {
		pvc.Spec.StorageClassName = new(sc)
	}
	return pvc
}

// pool returns the pool's description, its Deployment of one and its
// Service. The pool keeps per-worker state, so a new one replaces the old
// rather than running beside it.
func (f *fleet) pool(cfg []byte) []any {
	var ports []corev1.ContainerPort
	var svc []corev1.ServicePort
	for _, p := range f.poolPorts() {
		ports = append(ports, corev1.ContainerPort{Name: p.name, ContainerPort: p.number, Protocol: corev1.ProtocolTCP})
		svc = append(svc, corev1.ServicePort{Name: p.name, Port: p.number, TargetPort: intstr.FromString(p.name), Protocol: corev1.ProtocolTCP})
	}
	ports = append(ports, corev1.ContainerPort{Name: "ops", ContainerPort: render.OpsPort, Protocol: corev1.ProtocolTCP})
	c := corev1.Container{
		Name:         "pool",
		Image:        f.cfg.Kubernetes.Image,
		Args:         []string{"pool", "--config", configDir + "/pool.yaml"},
		Ports:        ports,
		Env:          secretEnv(config.References(string(cfg)), false),
		VolumeMounts: []corev1.VolumeMount{{Name: configVolume, MountPath: configDir, ReadOnly: true}},
		// Share verification keeps an epoch's cache and the previous one.
		Resources: resources(500, 256, 1024),
		ReadinessProbe: &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/stats", Port: intstr.FromString("getwork")}},
			PeriodSeconds: 10, TimeoutSeconds: 5, FailureThreshold: 3,
		},
		LivenessProbe:   livenessProbe("getwork"),
		SecurityContext: containerSecurity(true),
	}
	return []any{
		f.configMap(poolName, componentPool, "pool.yaml", cfg),
		f.miningDeployment(poolName, componentPool, new(int32(1)), cfg, serviceAccount, c, nil),
		&corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: f.meta(poolName, labels(poolName, componentPool)),
			Spec: corev1.ServiceSpec{
				Type: corev1.ServiceTypeClusterIP, Selector: selector(poolName, componentPool), Ports: svc,
			},
		},
	}
}

// poolPorts are the ports miners reach the pool on: getWork, and stratum
// unless it is off.
func (f *fleet) poolPorts() []port {
	ports := []port{{name: "getwork", number: render.PoolPort}}
	if render.Stratum(f.cfg) {
		ports = append(ports, port{name: "stratum", number: render.StratumPort})
	}
	return ports
}

// miners returns the miners' Deployment. Its replicas are the
// autoscaler's: the manifest leaves them out, so that applying it again
// keeps the autoscaler's count (a new Deployment starts with one miner).
// A miner hashes on as many threads as it has cores, which its limit
// holds it to.
func (f *fleet) miners(cfg []byte) *appsv1.Deployment {
	r := f.cfg.Mining.Deploy.MinerResources
	res := resources(r.CPU*1000, r.MemoryGiB*1024, r.MemoryGiB*1024)
	res.Limits[corev1.ResourceCPU] = res.Requests[corev1.ResourceCPU]
	c := corev1.Container{
		Name:  "miner",
		Image: f.cfg.Kubernetes.Image,
		Args:  []string{"mine", "--config", configDir + "/miner.yaml"},
		VolumeMounts: []corev1.VolumeMount{
			{Name: configVolume, MountPath: configDir, ReadOnly: true},
			{Name: "dag", MountPath: render.DAGDir},
		},
		Resources:       res,
		SecurityContext: containerSecurity(true),
	}
	dag := corev1.Volume{Name: "dag", VolumeSource: corev1.VolumeSource{
		PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: dagClaim},
	}}
	return f.miningDeployment(minerName, componentMiner, nil, cfg, serviceAccount, c, &dag)
}

// autoscaler returns the autoscaler's description, its service account,
// the Role that lets it scale the miners' Deployment and nothing else, and
// its Deployment of one.
func (f *fleet) autoscaler(cfg []byte) []any {
	l := labels(autoscalerName, componentAutoscaler)
	c := corev1.Container{
		Name:            "autoscaler",
		Image:           f.cfg.Kubernetes.Image,
		Args:            []string{"autoscale", "--config", configDir + "/autoscale.yaml"},
		VolumeMounts:    []corev1.VolumeMount{{Name: configVolume, MountPath: configDir, ReadOnly: true}},
		Resources:       resources(50, 64, 256),
		SecurityContext: containerSecurity(true),
	}
	d := f.miningDeployment(autoscalerName, componentAutoscaler, new(int32(1)), cfg, autoscalerName, c, nil)
	d.Spec.Template.Spec.AutomountServiceAccountToken = new(true)
	return []any{
		f.configMap(autoscalerName, componentAutoscaler, "autoscale.yaml", cfg),
		&corev1.ServiceAccount{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: f.meta(autoscalerName, l),
		},
		&rbacv1.Role{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
			ObjectMeta: f.meta(autoscalerName, l),
			Rules: []rbacv1.PolicyRule{{
				APIGroups: []string{"apps"}, Resources: []string{"deployments/scale"},
				ResourceNames: []string{minerName}, Verbs: []string{"get", "patch", "update"},
			}},
		},
		&rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: f.meta(autoscalerName, l),
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: autoscalerName},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: autoscalerName, Namespace: f.ns}},
		},
		d,
	}
}

// configMap holds the description a mining process runs from.
func (f *fleet) configMap(name, component, file string, cfg []byte) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: f.meta(name, labels(name, component)),
		Data:       map[string]string{file: string(cfg)},
	}
}

// miningDeployment runs container c in pods of the named instance, as
// account, with the ConfigMap of that name (cfg, whose digest rolls the
// pods when it changes) and volume, if any. replicas nil leaves the count
// to whoever scales the Deployment.
func (f *fleet) miningDeployment(name, component string, replicas *int32, cfg []byte, account string, c corev1.Container, volume *corev1.Volume) *appsv1.Deployment {
	sum := sha256.Sum256(cfg)
	volumes := []corev1.Volume{{
		Name: configVolume,
		VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: name},
		}},
	}}
	if volume != nil {
		volumes = append(volumes, *volume)
	}
	strategy := appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	if replicas == nil {
		strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType}
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: f.meta(name, labels(name, component)),
		Spec: appsv1.DeploymentSpec{
			Replicas: replicas,
			Selector: &metav1.LabelSelector{MatchLabels: selector(name, component)},
			Strategy: strategy,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      labels(name, component),
					Annotations: map[string]string{"ethfleet.io/config-sha256": hex.EncodeToString(sum[:])},
				},
				Spec: corev1.PodSpec{
					ServiceAccountName:           account,
					AutomountServiceAccountToken: new(false),
					SecurityContext:              podSecurity(),
					Containers:                   []corev1.Container{c},
					Volumes:                      volumes,
				},
			},
		},
	}
}

// miningPolicies let the miners, the autoscaler and pods labelled
// kubernetes.rpcClientLabel reach the pool's getWork and stratum ports,
// and nothing reach the miners or the autoscaler.
func (f *fleet) miningPolicies() []any {
	var ports []networkingv1.NetworkPolicyPort
	for _, p := range f.poolPorts() {
		ports = append(ports, policyPort(corev1.ProtocolTCP, p.number))
	}
	key, value, _ := strings.Cut(f.cfg.Kubernetes.RPCClientLabel, "=")
	peers := []networkingv1.NetworkPolicyPeer{
		{PodSelector: &metav1.LabelSelector{MatchLabels: selector(minerName, componentMiner)}},
		{PodSelector: &metav1.LabelSelector{MatchLabels: selector(autoscalerName, componentAutoscaler)}},
		{
			NamespaceSelector: &metav1.LabelSelector{},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{key: value}},
		},
	}
	return []any{
		f.networkPolicy(poolName, componentPool, []networkingv1.NetworkPolicyIngressRule{{From: peers, Ports: ports}}),
		f.networkPolicy(minerName, componentMiner, nil),
		f.networkPolicy(autoscalerName, componentAutoscaler, nil),
	}
}
