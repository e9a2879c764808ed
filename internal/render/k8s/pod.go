package k8s

import (
	"path"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// jwtImage makes the engine API secret: any image with a shell, head, od
// and tr would do.
const jwtImage = "busybox:1.37.0"

// Volumes of a node's pod.
const (
	dataVolume   = "data" // the volume claim template
	jwtVolume    = "jwt"
	configVolume = "config"
	holdVolume   = "hold" // the snapshotter's: see holdContainer
)

// holdDir is where the snapshotter's hold volume is mounted: the ethfleet
// binary its execution container starts the client with, and the files by
// which its agent holds the client back (internal/hold).
const holdDir = "/hold"

// terminationGrace is how long a stopping client has to flush its state
// (geth advises 300s).
const terminationGrace = 300

// podSpec is the node's pod: the clients, their agent, and the init
// containers that make the JWT secret and restore a snapshot.
func (nd node) podSpec() corev1.PodSpec {
	spec := corev1.PodSpec{
		ServiceAccountName:            serviceAccount,
		AutomountServiceAccountToken:  new(false),
		TerminationGracePeriodSeconds: new(int64(terminationGrace)),
		SecurityContext:               podSecurity(),
		// Nodes prefer hosts of their own: losing one host loses one node.
		Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
				Weight: 100,
				PodAffinityTerm: corev1.PodAffinityTerm{
					LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{
						"app.kubernetes.io/name":      "ethfleet",
						"app.kubernetes.io/component": componentNode,
					}},
					TopologyKey: corev1.LabelHostname,
				},
			}},
		}},
		Volumes: []corev1.Volume{{
			Name: configVolume,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: nd.name + "-agent"},
			}},
		}},
	}
	if nd.proofOfStake() {
		spec.InitContainers = append(spec.InitContainers, jwtContainer())
		spec.Volumes = append(spec.Volumes, corev1.Volume{
			Name: jwtVolume,
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
				Medium: corev1.StorageMediumMemory, SizeLimit: new(resource.MustParse("1Mi")),
			}},
		})
	}
	if nd.cfg.Snapshot.Source == config.SnapshotStore {
		spec.InitContainers = append(spec.InitContainers, nd.restoreContainer())
	}
	if nd.snapshotter() {
		// The agent stops the execution client by its process for a
		// snapshot, and the client waits on the hold volume to start again.
		spec.ShareProcessNamespace = new(true)
		spec.InitContainers = append(spec.InitContainers, nd.holdContainer())
		spec.Volumes = append(spec.Volumes, corev1.Volume{
			Name: holdVolume,
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
				SizeLimit: new(resource.MustParse("256Mi")),
			}},
		})
	}
	spec.Containers = nd.clientContainers()
	spec.Containers = append(spec.Containers, nd.agentContainer())
	return spec
}

func (nd node) proofOfStake() bool {
	nw, _ := clients.LookupNetwork(nd.f.cfg.Network.Name)
	return nw.ProofOfStake
}

// clientContainers run the execution client and, beside it, the consensus
// client, which reaches the engine API on the pod's loopback.
func (nd node) clientContainers() []corev1.Container {
	exArgs, consArgs := render.Args(nd.f.cfg, nd.cfg, "127.0.0.1")
	cpu, mem := nd.cfg.Resources.CPU*1000, nd.cfg.Resources.MemoryGiB*1024
	exCPU, exMem := cpu, mem
	if nd.cc != nil {
		// The execution client does most of the work.
		exCPU, exMem = cpu*2/3, mem*2/3
	}
	mounts := []corev1.VolumeMount{{Name: dataVolume, MountPath: render.DataDir}}
	if nd.proofOfStake() {
		mounts = append(mounts, corev1.VolumeMount{Name: jwtVolume, MountPath: path.Dir(render.JWTFile), ReadOnly: true})
	}
	cs := []corev1.Container{{
		Name:            execution,
		Image:           nd.cfg.Execution.Image,
		Args:            exArgs,
		Ports:           nd.containerPorts(execution),
		VolumeMounts:    mounts,
		Resources:       resources(exCPU, exMem, exMem),
		StartupProbe:    startupProbe("rpc"),
		LivenessProbe:   livenessProbe("rpc"),
		SecurityContext: containerSecurity(false),
	}}
	if nd.snapshotter() {
		ex := &cs[0]
		ex.Command = append([]string{holdDir + "/ethfleet", "hold", "run", "--dir", holdDir, "--"}, nd.entrypoint...)
		ex.VolumeMounts = append(slices.Clip(ex.VolumeMounts), corev1.VolumeMount{Name: holdVolume, MountPath: holdDir})
	}
	if nd.cc != nil {
		cs = append(cs, corev1.Container{
			Name:            consensus,
			Image:           nd.cfg.Consensus.Image,
			Args:            consArgs,
			Ports:           nd.containerPorts(consensus),
			VolumeMounts:    mounts,
			Resources:       resources(cpu-exCPU, mem-exMem, mem-exMem),
			StartupProbe:    startupProbe("beacon"),
			LivenessProbe:   livenessProbe("beacon"),
			SecurityContext: containerSecurity(false),
		})
	}
	return cs
}

// agentContainer watches the node; its /ready is the pod's readiness, as
// a pod is ready only when all its containers are. The snapshotter's agent
// also writes snapshots of the data volume to the store.
func (nd node) agentContainer() corev1.Container {
	c := corev1.Container{
		Name:  agent,
		Image: nd.f.cfg.Kubernetes.Image,
		Args:  []string{"agent", "--config", configDir + "/agent.yaml"},
		Ports: nd.containerPorts(agent),
		Env:   secretEnv(config.References(string(nd.agentConfig)), true),
		VolumeMounts: []corev1.VolumeMount{
			{Name: configVolume, MountPath: configDir, ReadOnly: true},
			// For the free-space metric.
			{Name: dataVolume, MountPath: render.DataDir, ReadOnly: true},
		},
		Resources:       resources(100, 64, 256),
		ReadinessProbe:  readinessProbe(),
		LivenessProbe:   livenessProbe("ops"),
		SecurityContext: containerSecurity(true),
	}
	if nd.snapshotter() {
		// Writable: the snapshot index lives beside the data directory.
		c.VolumeMounts[1].ReadOnly = false
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: holdVolume, MountPath: holdDir})
		c.EnvFrom = s3Credentials()
		c.Resources = resources(250, 256, 2048)
	}
	return c
}

// holdContainer puts the ethfleet binary on the hold volume, for the
// execution container to start its client with `ethfleet hold run`: the
// binary is static, so it runs in any client's image.
func (nd node) holdContainer() corev1.Container {
	return corev1.Container{
		Name:            "hold",
		Image:           nd.f.cfg.Kubernetes.Image,
		Args:            []string{"hold", "install", holdDir + "/ethfleet"},
		VolumeMounts:    []corev1.VolumeMount{{Name: holdVolume, MountPath: holdDir}},
		Resources:       resources(100, 32, 128),
		SecurityContext: containerSecurity(true),
	}
}

// s3Credentials fill AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the
// optional Secret ethfleet-s3 (without it, IRSA or the node's role).
func s3Credentials() []corev1.EnvFromSource {
	return []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: s3Secret}, Optional: new(true),
	}}}
}

// jwtContainer writes a fresh engine API secret, 32 random bytes in hex,
// for the two clients of the pod.
func jwtContainer() corev1.Container {
	return corev1.Container{
		Name:            "jwt",
		Image:           jwtImage,
		Command:         []string{"sh", "-c", "head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > " + render.JWTFile},
		VolumeMounts:    []corev1.VolumeMount{{Name: jwtVolume, MountPath: path.Dir(render.JWTFile)}},
		Resources:       resources(10, 16, 16),
		SecurityContext: containerSecurity(true),
	}
}

// restoreContainer fills an empty data volume with the fleet's latest
// snapshot of the node's network and execution client before the clients
// start; on a volume that holds data it does nothing.
func (nd node) restoreContainer() corev1.Container {
	store := nd.f.cfg.Snapshots.Store.String()
	return corev1.Container{
		Name:  "restore",
		Image: nd.f.cfg.Kubernetes.Image,
		Args: []string{
			"snapshot", "restore", "--boot", "--store", expandable(store),
			"--datadir", render.DataDir + "/execution",
			"--network", nd.f.cfg.Network.Name, "--client", nd.ec.Name,
		},
		Env:             secretEnv(config.References(store), false),
		EnvFrom:         s3Credentials(),
		VolumeMounts:    []corev1.VolumeMount{{Name: dataVolume, MountPath: render.DataDir}},
		Resources:       resources(1000, 512, 2048),
		SecurityContext: containerSecurity(true),
	}
}

// resources requests milliCPU and memory MiB, and limits memory to
// limitMiB; CPU is not limited, so that a client catching up may use an
// idle host.
func resources(milliCPU, requestMiB, limitMiB int) corev1.ResourceRequirements {
	mib := func(n int) resource.Quantity { return *resource.NewQuantity(int64(n)<<20, resource.BinarySI) }
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(milliCPU), resource.DecimalSI),
			corev1.ResourceMemory: mib(requestMiB),
		},
		Limits: corev1.ResourceList{corev1.ResourceMemory: mib(limitMiB)},
	}
}

// podSecurity runs every container of a pod as the ethfleet image's user,
// owning the volumes; ownership is fixed only when the volume's root is
// not already the pod's, not file by file on every start.
func podSecurity() *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot:        new(true),
		RunAsUser:           new(int64(uid)),
		RunAsGroup:          new(int64(uid)),
		FSGroup:             new(int64(uid)),
		FSGroupChangePolicy: new(corev1.FSGroupChangeOnRootMismatch),
		SeccompProfile:      &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// containerSecurity drops every capability; readOnlyRoot keeps the
// container from writing anywhere but its volumes (the ethfleet image
// needs nothing else; the clients' images may).
func containerSecurity(readOnlyRoot bool) *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: new(false),
		ReadOnlyRootFilesystem:   new(readOnlyRoot),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}
