package cfn

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render/cfn/spec"
	"github.com/ethfleet/ethfleet/internal/render/cfn/spec/spectest"
)

// TestMining checks what the mining cluster depends on: spot miners the
// autoscaler alone sizes, its permission on their group only, their DAG on
// an encrypted file system only they reach, and the pool behind an
// internal load balancer.
func TestMining(t *testing.T) {
	cfg := load(t, "classic-mining")
	tpl := decode(t, renderFiles(t, cfg)["template.yaml"])
	checkMiners(t, cfg, tpl)
	checkAutoscalerRole(t, tpl)
	checkDAG(t, tpl, 2)
	checkPool(t, tpl)
	out := tpl["Outputs"].(map[string]any)
	endpoint := fmt.Sprint(out["PoolEndpoint"].(map[string]any)["Value"])
	if !strings.Contains(endpoint, "stratum+tcp://${PoolLoadBalancer.DNSName}:8009") || out["MinersGroup"] == nil {
		t.Errorf("outputs PoolEndpoint %s, MinersGroup %v", endpoint, out["MinersGroup"])
	}
	// The miners' description names their group as the autoscaler does.
	scripts := userDataOf(tpl)
	if !strings.Contains(scripts["PoolLaunchTemplate"], "autoScalingGroup: "+minerGroupName) {
		t.Errorf("the autoscaler does not scale %s:\n%s", minerGroupName, scripts["PoolLaunchTemplate"])
	}
	if !strings.Contains(scripts["MinerLaunchTemplate"], "mount /mnt/dag") || !strings.Contains(scripts["MinerLaunchTemplate"], "dagDir: /mnt/dag") {
		t.Errorf("the miners do not mine from the DAG on EFS:\n%s", scripts["MinerLaunchTemplate"])
	}
}

func checkMiners(t *testing.T, cfg *config.Config, tpl map[string]any) {
	t.Helper()
	g := resources(tpl, "AWS::AutoScaling::AutoScalingGroup")[idMinerGroup]
	if g == nil {
		t.Fatal("no miners' group")
	}
	if g["MinSize"] != "0" || g["MaxSize"] != fmt.Sprint(*cfg.Mining.Autoscale.MaxMiners) || g["DesiredCapacity"] != nil {
		t.Errorf("miners: min %v, max %v, desired %v; want 0, maxMiners, and none (the autoscaler's)", g["MinSize"], g["MaxSize"], g["DesiredCapacity"])
	}
	if g["CapacityRebalance"] != true || g["LaunchTemplate"] != nil {
		t.Errorf("miners: capacity rebalance %v, launch template %v", g["CapacityRebalance"], g["LaunchTemplate"])
	}
	mix := g["MixedInstancesPolicy"].(map[string]any)
	dist := mix["InstancesDistribution"].(map[string]any)
	base := dist["OnDemandBaseCapacity"].(map[string]any)["Ref"]
	if dist["OnDemandPercentageAboveBaseCapacity"] != 0 || dist["SpotAllocationStrategy"] != "capacity-optimized" || base != idOnDemandBase {
		t.Errorf("miners' distribution %v: want spot only above a base of %s", dist, idOnDemandBase)
	}
	if p := tpl["Parameters"].(map[string]any)[idOnDemandBase].(map[string]any); p["Default"] != "0" {
		t.Errorf("%s defaults to %v, want 0", idOnDemandBase, p["Default"])
	}
	var types []string
	for _, o := range mix["LaunchTemplate"].(map[string]any)["Overrides"].([]any) {
		types = append(types, o.(map[string]any)["InstanceType"].(string))
	}
	if !slices.Equal(types, cfg.Mining.Deploy.MinerInstanceTypes) || len(types) < 2 {
		t.Errorf("miners' types %v, want %v", types, cfg.Mining.Deploy.MinerInstanceTypes)
	}
}

// checkAutoscalerRole: only the pool's role may scale, and only the
// miners' group.
func checkAutoscalerRole(t *testing.T, tpl map[string]any) {
	t.Helper()
	found := 0
	for id, doc := range policyDocuments(tpl) {
		for _, s := range doc["Statement"].([]any) {
			s := s.(map[string]any)
			if !slices.Contains(s["Action"].([]any), any("autoscaling:SetDesiredCapacity")) {
				continue
			}
			found++
			res := s["Resource"].([]any)
			sub, _ := res[0].(map[string]any)["Fn::Sub"].(string)
			if id != "PoolRole" || len(res) != 1 || !strings.HasSuffix(sub, "autoScalingGroupName/"+minerGroupName) {
				t.Errorf("%s may set the desired capacity of %v", id, res)
			}
		}
	}
	if found != 1 {
		t.Errorf("%d statements allow SetDesiredCapacity, want the pool role's", found)
	}
}

// checkDAG: an encrypted file system, a mount target per private subnet,
// reached on NFS from the miners only.
func checkDAG(t *testing.T, tpl map[string]any, subnets int) {
	t.Helper()
	fs := resources(tpl, "AWS::EFS::FileSystem")[idDAG]
	if fs == nil || fs["Encrypted"] != true {
		t.Errorf("DAG file system %v, want encrypted", fs)
	}
	if n := len(resources(tpl, "AWS::EFS::MountTarget")); n != subnets {
		t.Errorf("%d mount targets, want %d", n, subnets)
	}
	rules := ingressRules(tpl)[idDAGSG]
	if len(rules) != 1 || rules[0]["FromPort"] != 2049 || rules[0]["SourceSecurityGroupId"].(map[string]any)["Ref"] != idMinerSG {
		t.Errorf("DAG security group rules %v, want NFS from %s", rules, idMinerSG)
	}
	if r := ingressRules(tpl)[idMinerSG]; len(r) != 0 {
		t.Errorf("the miners are reached by %v", r)
	}
}

// checkPool: an internal network load balancer with a listener per pool
// port, healthy on the getWork port, in front of one pool.
func checkPool(t *testing.T, tpl map[string]any) {
	t.Helper()
	lb := resources(tpl, "AWS::ElasticLoadBalancingV2::LoadBalancer")[idPoolLB]
	if lb == nil || lb["Type"] != "network" || lb["Scheme"] != "internal" {
		t.Errorf("pool load balancer %v, want an internal network one", lb)
	}
	var ports []int
	for _, l := range resources(tpl, "AWS::ElasticLoadBalancingV2::Listener") {
		if l["LoadBalancerArn"].(map[string]any)["Ref"] == idPoolLB {
			ports = append(ports, l["Port"].(int))
		}
	}
	slices.Sort(ports)
	if !slices.Equal(ports, []int{8008, 8009}) {
		t.Errorf("pool listeners on %v, want 8008 and 8009", ports)
	}
	for id, tg := range resources(tpl, "AWS::ElasticLoadBalancingV2::TargetGroup") {
		if strings.HasPrefix(id, "Pool") && (tg["HealthCheckPort"] != "8008" || tg["HealthCheckPath"] != "/stats") {
			t.Errorf("%s checks health on %v%v, want the getWork port's /stats", id, tg["HealthCheckPort"], tg["HealthCheckPath"])
		}
	}
	g := resources(tpl, "AWS::AutoScaling::AutoScalingGroup")["PoolGroup"]
	if g["MinSize"] != "1" || g["MaxSize"] != "1" || g["MixedInstancesPolicy"] != nil {
		t.Errorf("pool group %v, want one on-demand instance", g)
	}
}

// userDataOf returns each launch template's user data, as Fn::Sub reads it.
func userDataOf(tpl map[string]any) map[string]string {
	scripts := map[string]string{}
	for id, lt := range resources(tpl, "AWS::EC2::LaunchTemplate") {
		scripts[id] = lt["LaunchTemplateData"].(map[string]any)["UserData"].(map[string]any)["Fn::Base64"].(map[string]any)["Fn::Sub"].(string)
	}
	return scripts
}

// TestMiningVariants renders the cluster in an existing VPC, without
// stratum, and with mining.node a secret; each template must match the
// specification, and a proof-of-stake fleet must be refused.
func TestMiningVariants(t *testing.T) {
	s := spectest.Spec(t)
	cfg := load(t, "classic-mining")
	cfg.AWS.NewVPC = nil
	cfg.AWS.VPCID = "vpc-0a1b2c3d4e5f67890"
	cfg.AWS.SubnetIDs = []string{"subnet-0a1b2c3d4e5f67891", "subnet-0a1b2c3d4e5f67892", "subnet-0a1b2c3d4e5f67893"}
	cfg.Mining.Pool.Stratum = "off"
	cfg.Mining.Node = config.NewSecret("https://etc.example/${ETC_KEY}")
	if err := cfg.CheckTarget(config.TargetAWS); err != nil {
		t.Fatal(err)
	}
	body := renderFiles(t, cfg)["template.yaml"]
	var problems spec.Problems
	if err := s.Validate(body); errors.As(err, &problems) {
		for _, p := range problems {
			t.Error(p)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	tpl := decode(t, body)
	checkDAG(t, tpl, 3)
	if mt := resources(tpl, "AWS::EFS::MountTarget")["DagMountTarget3"]; fmt.Sprint(mt["SubnetId"]) != "map[Fn::Select:[2 map[Ref:SubnetIds]]]" {
		t.Errorf("third mount target in %v", mt["SubnetId"])
	}
	for _, l := range resources(tpl, "AWS::ElasticLoadBalancingV2::Listener") {
		if l["Port"] == 8009 {
			t.Error("a stratum listener, with stratum off")
		}
	}
	pool := userDataOf(tpl)["PoolLaunchTemplate"]
	if !strings.Contains(pool, "node: https://etc.example/${!ETC_KEY}") || !strings.Contains(pool, "SECRETS=ETC_KEY") {
		t.Errorf("the pool does not read its node's key from SSM:\n%s", pool)
	}
	if !strings.Contains(fmt.Sprint(tpl["Metadata"]), "/gateway/ETC_KEY") {
		t.Error("the metadata does not list the pool's secret")
	}
	if !strings.Contains(userDataOf(tpl)["MinerLaunchTemplate"], "pool: http://${PoolLoadBalancer.DNSName}:8008") {
		t.Error("without stratum, the miners do not use getWork")
	}

	pos := load(t, "mainnet")
	pos.Mining = cfg.Mining
	if _, err := Render(pos); err == nil || !strings.Contains(err.Error(), "proof-of-stake") {
		t.Errorf("mining on mainnet: %v", err)
	}
	classic, _, err := Build(load(t, "classic"))
	if err != nil {
		t.Fatal(err)
	}
	if _, miners := classic.Resources[idMinerGroup]; miners || classic.Parameters[idOnDemandBase] != (Parameter{}) {
		t.Error("classic deploys no mining, but its template has miners")
	}
}
