package k8s

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// TestManifests decodes what every test fleet renders and checks the
// properties the fleet depends on.
func TestManifests(t *testing.T) {
	for _, fc := range fleets {
		t.Run(fc.name, func(t *testing.T) {
			cfg, files := renderFleet(t, fc)
			objs := decode(t, files)
			checkNodes(t, cfg, objs)
			checkServices(t, objs)
			checkNetworkPolicies(t, cfg, objs)
			checkGateway(t, cfg, objs)
			checkMonitoring(t, cfg, objs)
			checkMining(t, cfg, objs)
		})
	}
}

func checkNodes(t *testing.T, cfg *config.Config, objs []any) {
	t.Helper()
	sets := map[string]*appsv1.StatefulSet{}
	for _, s := range all[*appsv1.StatefulSet](objs) {
		sets[s.Name] = s
	}
	if len(sets) != len(cfg.DeployedNodes()) {
		t.Errorf("%d StatefulSets for %d nodes", len(sets), len(cfg.DeployedNodes()))
	}
	for _, n := range cfg.DeployedNodes() {
		s := sets[render.Name(n.Name)]
		if s == nil {
			t.Errorf("no StatefulSet for node %s", n.Name)
			continue
		}
		pod := s.Spec.Template.Spec
		if g := pod.TerminationGracePeriodSeconds; g == nil || *g < 300 {
			t.Errorf("%s: terminationGracePeriodSeconds %v, want at least 300", s.Name, g)
		}
		if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.FSGroup == nil {
			t.Errorf("%s: pod security context %+v: want runAsNonRoot and an fsGroup", s.Name, sc)
		}
		names := containerNames(pod.InitContainers)
		wantInit := ""
		if n.Consensus != nil {
			wantInit = "jwt"
		}
		if n.Snapshot.Source == config.SnapshotStore {
			wantInit = strings.TrimPrefix(wantInit+" restore", " ")
		}
		if render.Snapshotter(cfg, n.Name) {
			wantInit = strings.TrimPrefix(wantInit+" hold", " ")
		}
		checkSnapshotter(t, cfg, n, pod, objs)
		if names != wantInit {
			t.Errorf("%s: init containers %q, want %q", s.Name, names, wantInit)
		}
		wantContainers := "execution agent"
		if n.Consensus != nil {
			wantContainers = "execution consensus agent"
		}
		if got := containerNames(pod.Containers); got != wantContainers {
			t.Errorf("%s: containers %q, want %q", s.Name, got, wantContainers)
		}
		for _, c := range pod.Containers {
			checkProbes(t, s.Name, c)
		}
		checkPorts(t, s.Name, pod)
		checkClaim(t, cfg, n, s)
	}
}

// checkSnapshotter: the snapshotter's agent sees its execution client's
// process, which starts through `ethfleet hold run` from the hold volume,
// and writes to the data volume; another node's pod has none of that.
func checkSnapshotter(t *testing.T, cfg *config.Config, n config.Node, pod corev1.PodSpec, objs []any) {
	t.Helper()
	name := render.Name(n.Name)
	ex, ag := container(pod, execution), container(pod, agent)
	mounted := func(c *corev1.Container, volume string, writable bool) bool {
		return slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == volume && m.ReadOnly == !writable })
	}
	if !render.Snapshotter(cfg, n.Name) {
		if pod.ShareProcessNamespace != nil || ex.Command != nil || !mounted(ag, dataVolume, false) {
			t.Errorf("%s is not the snapshotter: shareProcessNamespace %v, execution command %q, agent mounts %v",
				name, pod.ShareProcessNamespace, ex.Command, ag.VolumeMounts)
		}
		return
	}
	ec, _ := clients.Lookup(clients.Execution, n.Execution.Client)
	wantCmd := append([]string{"/hold/ethfleet", "hold", "run", "--dir", "/hold", "--"}, ec.Entrypoint...)
	if pod.ShareProcessNamespace == nil || !*pod.ShareProcessNamespace {
		t.Errorf("%s: the snapshotter's pod does not share its process namespace", name)
	}
	if !slices.Equal(ex.Command, wantCmd) {
		t.Errorf("%s: execution command %q, want %q", name, ex.Command, wantCmd)
	}
	if !mounted(ex, holdVolume, true) || !mounted(ag, holdVolume, true) || !mounted(ag, dataVolume, true) {
		t.Errorf("%s: execution mounts %v, agent mounts %v: want the hold volume in both, the data volume writable by the agent",
			name, ex.VolumeMounts, ag.VolumeMounts)
	}
	var doc string
	for _, cm := range all[*corev1.ConfigMap](objs) {
		if cm.Name == name+"-agent" {
			doc = cm.Data["agent.yaml"]
		}
	}
	agentCfg, err := config.Parse("agent.yaml", []byte(doc), func(string) (string, bool) { return "x", true })
	if err != nil {
		t.Fatalf("%s: the agent's description: %v", name, err)
	}
	if sn := agentCfg.Agent.Snapshots; sn == nil || sn.Hold != holdDir || sn.Every != cfg.Snapshots.Every || sn.Client != n.Execution.Client {
		t.Errorf("%s: the agent's snapshots %+v, want hold %s every %s of %s", name, sn, holdDir, cfg.Snapshots.Every, n.Execution.Client)
	}
}

func container(pod corev1.PodSpec, name string) *corev1.Container {
	for i := range pod.Containers {
		if pod.Containers[i].Name == name {
			return &pod.Containers[i]
		}
	}
	return &corev1.Container{}
}

func containerNames(cs []corev1.Container) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return strings.Join(names, " ")
}

// checkProbes: the agent's /ready is the pod's readiness, and the clients
// get at least an hour to start.
func checkProbes(t *testing.T, pod string, c corev1.Container) {
	t.Helper()
	r := c.ReadinessProbe
	switch {
	case c.Name == agent && (r == nil || r.HTTPGet == nil || r.HTTPGet.Path != "/ready" || r.HTTPGet.Port.String() != "ops"):
		t.Errorf("%s: agent readiness probe %+v, want GET /ready on ops", pod, r)
	case c.Name != agent && r != nil:
		t.Errorf("%s: %s has a readiness probe; the agent's decides", pod, c.Name)
	}
	if c.Name == agent {
		return
	}
	s := c.StartupProbe
	if s == nil || s.FailureThreshold*s.PeriodSeconds < 3600 {
		t.Errorf("%s: %s startup probe %+v gives less than an hour", pod, c.Name, s)
	}
	if c.LivenessProbe == nil {
		t.Errorf("%s: %s has no liveness probe", pod, c.Name)
	}
}

// checkPorts: names and numbers are unique in a pod, whose containers
// share one network.
func checkPorts(t *testing.T, pod string, spec corev1.PodSpec) {
	t.Helper()
	names, numbers := map[string]bool{}, map[string]bool{}
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			number := fmt.Sprintf("%d/%s", p.ContainerPort, p.Protocol)
			if names[p.Name] || numbers[number] || len(p.Name) > 15 {
				t.Errorf("%s: port %s (%s) repeated or too long a name", pod, p.Name, number)
			}
			names[p.Name], numbers[number] = true, true
		}
	}
}

func checkClaim(t *testing.T, cfg *config.Config, n config.Node, s *appsv1.StatefulSet) {
	t.Helper()
	if len(s.Spec.VolumeClaimTemplates) != 1 {
		t.Fatalf("%s: %d volume claim templates", s.Name, len(s.Spec.VolumeClaimTemplates))
	}
	claim := s.Spec.VolumeClaimTemplates[0].Spec
	if got, want := claim.Resources.Requests.Storage().String(), fmt.Sprintf("%dGi", n.Volume.SizeGiB); got != want {
		t.Errorf("%s: claims %s, want %s", s.Name, got, want)
	}
	switch sc := cfg.Kubernetes.StorageClass; {
	case sc == "" && claim.StorageClassName != nil:
		t.Errorf("%s: storage class %q, want the cluster's default", s.Name, *claim.StorageClassName)
	case sc != "" && (claim.StorageClassName == nil || *claim.StorageClassName != sc):
		t.Errorf("%s: storage class %v, want %q", s.Name, claim.StorageClassName, sc)
	}
	var want *corev1.TypedLocalObjectReference
	if n.Snapshot.Source == config.SnapshotVolume {
		want = &corev1.TypedLocalObjectReference{
			APIGroup: new("snapshot.storage.k8s.io"), Kind: "VolumeSnapshot", Name: n.Snapshot.VolumeSnapshot,
		}
	}
	if !reflect.DeepEqual(claim.DataSource, want) {
		t.Errorf("%s: data source %+v, want %+v", s.Name, claim.DataSource, want)
	}
}

// checkServices: a node's Service publishes the pod before it is ready,
// and no Service offers the engine API.
func checkServices(t *testing.T, objs []any) {
	t.Helper()
	for _, s := range all[*corev1.Service](objs) {
		if s.Spec.ClusterIP == corev1.ClusterIPNone && !s.Spec.PublishNotReadyAddresses {
			t.Errorf("headless Service %s does not publish not-ready addresses", s.Name)
		}
		for _, p := range s.Spec.Ports {
			if p.Name == "engine" || p.Port == clients.EnginePort {
				t.Errorf("Service %s offers the engine API", s.Name)
			}
		}
	}
}

// checkNetworkPolicies: every pod is covered; RPC is reached only from
// labelled clients and the fleet's own pods; what anyone may reach is the
// p2p ports; the engine API is reached from nowhere.
func checkNetworkPolicies(t *testing.T, cfg *config.Config, objs []any) {
	t.Helper()
	key, value, _ := strings.Cut(cfg.Kubernetes.RPCClientLabel, "=")
	rpcPeers := []networkingv1.NetworkPolicyPeer{
		{NamespaceSelector: &metav1.LabelSelector{}, PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{key: value}}},
		{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/part-of": "ethfleet"}}},
	}
	policies := map[string]*networkingv1.NetworkPolicy{}
	for _, p := range all[*networkingv1.NetworkPolicy](objs) {
		policies[p.Name] = p
		if miningComponent(p.Labels) {
			continue // checkMining's
		}
		rpcRules := 0
		for _, rule := range p.Spec.Ingress {
			ports := map[int32]bool{}
			for _, port := range rule.Ports {
				ports[port.Port.IntVal] = true
			}
			if ports[clients.EnginePort] {
				t.Errorf("policy %s lets %v reach the engine API", p.Name, rule.From)
			}
			if ports[clients.RPCPort] {
				rpcRules++
				if !reflect.DeepEqual(rule.From, rpcPeers) {
					t.Errorf("policy %s: RPC peers %+v, want %+v", p.Name, rule.From, rpcPeers)
				}
			}
		}
		if rpcRules != 1 {
			t.Errorf("policy %s: %d rules for RPC, want 1", p.Name, rpcRules)
		}
	}
	for _, n := range cfg.DeployedNodes() {
		p := policies[render.Name(n.Name)]
		if p == nil {
			t.Errorf("no network policy for node %s", n.Name)
			continue
		}
		if got, want := openPorts(p), publicPorts(n); got != want {
			t.Errorf("policy %s opens %s to anyone, want %s", p.Name, got, want)
		}
	}
	if policies[gatewayName] == nil {
		t.Error("no network policy for the gateways")
	}
}

// openPorts lists the ports a policy opens to any peer.
func openPorts(p *networkingv1.NetworkPolicy) string {
	var ports []string
	for _, rule := range p.Spec.Ingress {
		if len(rule.From) == 0 {
			for _, port := range rule.Ports {
				ports = append(ports, fmt.Sprintf("%s/%s", port.Port, *port.Protocol))
			}
		}
	}
	return strings.Join(ports, " ")
}

// publicPorts lists a node's p2p ports, from the catalog.
func publicPorts(n config.Node) string {
	var ports []string
	add := func(layer clients.Layer, name string) {
		c, _ := clients.Lookup(layer, name)
		for _, p := range c.Ports {
			if p.Public {
				ports = append(ports, fmt.Sprintf("%d/%s", p.Number, strings.ToUpper(p.Protocol)))
			}
		}
	}
	add(clients.Execution, n.Execution.Client)
	if n.Consensus != nil {
		add(clients.Consensus, n.Consensus.Client)
	}
	return strings.Join(ports, " ")
}

// checkGateway: as many gateways as configured, ready on /ready, with each
// API key from the Secret, and a disruption budget.
func checkGateway(t *testing.T, cfg *config.Config, objs []any) {
	t.Helper()
	var deps []*appsv1.Deployment
	for _, d := range all[*appsv1.Deployment](objs) {
		if !miningComponent(d.Labels) {
			deps = append(deps, d)
		}
	}
	if len(deps) != 1 {
		t.Fatalf("%d Deployments besides the mining cluster's, want the gateways'", len(deps))
	}
	d := deps[0]
	if d.Spec.Replicas == nil || int(*d.Spec.Replicas) != cfg.Gateway.Replicas {
		t.Errorf("gateway replicas %v, want %d", d.Spec.Replicas, cfg.Gateway.Replicas)
	}
	c := d.Spec.Template.Spec.Containers[0]
	if r := c.ReadinessProbe; r == nil || r.HTTPGet == nil || r.HTTPGet.Path != "/ready" {
		t.Errorf("gateway readiness probe %+v, want GET /ready", r)
	}
	env := map[string]*corev1.EnvVarSource{}
	for _, e := range c.Env {
		env[e.Name] = e.ValueFrom
	}
	for _, k := range cfg.Gateway.APIKeys {
		for _, name := range config.References(k.Key.String()) {
			src := env[name]
			if src == nil || src.SecretKeyRef == nil || src.SecretKeyRef.Name != keysSecret || src.SecretKeyRef.Key != name {
				t.Errorf("gateway env %s: %+v, want key %s of Secret %s", name, src, name, keysSecret)
			}
		}
	}
	budgets := map[string]bool{}
	for _, b := range all[*policyv1.PodDisruptionBudget](objs) {
		budgets[b.Name] = true
	}
	if !budgets[gatewayName] || !budgets["ethfleet-nodes"] {
		t.Errorf("disruption budgets %v, want the gateways' and the nodes'", budgets)
	}
}

// checkMonitoring: every node and the gateways are scraped, and the
// alerting rules ship.
func checkMonitoring(t *testing.T, cfg *config.Config, objs []any) {
	t.Helper()
	if got, want := len(all[*monitoringv1.ServiceMonitor](objs)), len(cfg.DeployedNodes())+1; got != want {
		t.Errorf("%d ServiceMonitors, want %d", got, want)
	}
	rules := all[*monitoringv1.PrometheusRule](objs)
	if len(rules) != 1 {
		t.Fatalf("%d PrometheusRules, want 1", len(rules))
	}
	found := false
	for _, g := range rules[0].Spec.Groups {
		for _, r := range g.Rules {
			found = found || r.Alert == "EthfleetNodeNotReady"
		}
	}
	if !found {
		t.Error("the PrometheusRule lacks EthfleetNodeNotReady")
	}
}
