package cfn

import (
	"fmt"
	"strconv"

	"github.com/ethfleet/ethfleet/internal/render"
)

// Logical ids of the mining cluster.
const (
	idPoolSG       = "PoolSecurityGroup"
	idPoolLBSG     = "PoolLoadBalancerSecurityGroup"
	idMinerSG      = "MinerSecurityGroup"
	idDAGSG        = "DagSecurityGroup"
	idPoolLB       = "PoolLoadBalancer"
	idPoolTG       = "PoolGetWorkTargetGroup"
	idStratumTG    = "PoolStratumTargetGroup"
	idDAG          = "DagFileSystem"
	idMinerGroup   = "MinerGroup"
	idOnDemandBase = "MinersOnDemandBase"
)

// Names of the mining cluster's Auto Scaling groups, after the stack's.
const (
	poolGroupName  = "${AWS::StackName}-pool"
	minerGroupName = "${AWS::StackName}-miners"
)

// autoscaleOps is the autoscaler's ops listener on the pool's host, where
// the pool's has OpsPort.
const autoscaleOps = "127.0.0.1:6061"

// poolScript runs the pool and, beside it, the autoscaler, which reads the
// pool's /stats on the host and sets the miners' desired capacity.
const poolScript = `run pool "${ENV[@]}" -v /etc/ethfleet:/etc/ethfleet:ro $IMAGE pool --config /etc/ethfleet/pool.yaml
run autoscale -e AWS_REGION=$REGION -v /etc/ethfleet:/etc/ethfleet:ro $IMAGE autoscale --config /etc/ethfleet/autoscale.yaml
`

// minerScript mounts the shared DAG directory from EFS (TLS in transit),
// lets the miner's user own it, and runs the miner.
const minerScript = `dnf install -y amazon-efs-utils
mkdir -p /mnt/dag
echo "$FS:/ /mnt/dag efs _netdev,tls 0 0" >>/etc/fstab
for i in $(seq 30); do mount /mnt/dag && break; sleep 10; done
mountpoint -q /mnt/dag
chown 65532:65532 /mnt/dag
run miner -v /mnt/dag:/mnt/dag -v /etc/ethfleet:/etc/ethfleet:ro $IMAGE mine --config /etc/ethfleet/miner.yaml
`

// addMining adds the mining cluster when the fleet deploys one: the pool
// behind an internal Network Load Balancer, the spot miners, their DAG on
// EFS, and the autoscaler on the pool's host.
func (b *builder) addMining() error {
	if !render.Mining(b.cfg) {
		return nil
	}
	if err := render.CheckMining(b.cfg); err != nil {
		return fmt.Errorf("cfn: %w", err)
	}
	b.miningSecurityGroups()
	b.dagFileSystem()
	b.poolLoadBalancer()
	if err := b.addPool(); err != nil {
		return fmt.Errorf("cfn: mining: %w", err)
	}
	if err := b.addMiners(); err != nil {
		return fmt.Errorf("cfn: mining: %w", err)
	}
	b.miningRoles()
	b.miningOutputs()
	return nil
}

// miningPorts are the pool's: getWork over HTTP, and stratum unless it is
// off.
func (b *builder) miningPorts() []port {
	ports := []port{{render.PoolPort, "tcp", "getWork"}}
	if render.Stratum(b.cfg) {
		ports = append(ports, port{render.StratumPort, "tcp", "stratum"})
	}
	return ports
}

// miningSecurityGroups adds the pool's group, reached from its load
// balancer; the load balancer's, reached from AccessSecurityGroup and the
// miners; the miners', which nothing reaches; and the DAG file system's,
// reached over NFS from the miners.
func (b *builder) miningSecurityGroups() {
	var pool, lb []Ingress
	for _, p := range b.miningPorts() {
		pool = append(pool, b.ingress(p, idPoolLBSG))
		lb = append(lb, b.ingress(p, idAccessSG), b.ingress(p, idMinerSG))
	}
	b.securityGroup(idPoolSG, "ethfleet pool", pool)
	b.securityGroup(idPoolLBSG, "ethfleet pool's load balancer", lb)
	b.securityGroup(idMinerSG, "ethfleet miners", nil)
	b.securityGroup(idDAGSG, "ethfleet miners' DAG on EFS", []Ingress{b.ingress(port{2049, "tcp", "NFS"}, idMinerSG)})
}

// ingress lets the members of group from reach p.
func (b *builder) ingress(p port, from string) Ingress {
	return Ingress{IpProtocol: p.Protocol, FromPort: p.Number, ToPort: p.Number, SourceSecurityGroupId: Ref(from), Description: p.What}
}

// nameTag names a mining group's instances after the stack. Unlike the
// nodes', they carry no ethfleet:fleet tag: no policy condition needs it.
func nameTag(what string) []ASGTag {
	return []ASGTag{{Key: "Name", Value: Sub("${AWS::StackName}-" + what), PropagateAtLaunch: true}}
}

// poolLoadBalancer adds the pool's internal Network Load Balancer, a
// listener and target group per pool port, each target healthy while the
// pool answers GET /stats. Cross-zone balancing reaches the one pool from
// the load balancer's nodes in every zone; the pool sees the load
// balancer's address, so its security group names the load balancer's.
func (b *builder) poolLoadBalancer() {
	b.t.add(idPoolLB, Resource{Type: "AWS::ElasticLoadBalancingV2::LoadBalancer", Properties: LoadBalancer{
		Type: "network", Scheme: "internal", Subnets: b.subnets, SecurityGroups: []any{Ref(idPoolLBSG)},
		LoadBalancerAttributes: []Attribute{{Key: "load_balancing.cross_zone.enabled", Value: "true"}},
	}})
	for _, p := range b.miningPorts() {
		tg := idPoolTG
		listener := "PoolGetWorkListener"
		if p.Number == render.StratumPort {
			tg, listener = idStratumTG, "PoolStratumListener"
		}
		b.t.add(tg, Resource{Type: "AWS::ElasticLoadBalancingV2::TargetGroup", Properties: TargetGroup{
			VpcId: b.vpc, Protocol: "TCP", Port: p.Number, TargetType: "instance",
			HealthCheckProtocol: "HTTP", HealthCheckPort: strconv.Itoa(render.PoolPort), HealthCheckPath: "/stats",
			HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
			Matcher: Matcher{HttpCode: "200"},
		}})
		b.t.add(listener, Resource{Type: "AWS::ElasticLoadBalancingV2::Listener", Properties: Listener{
			LoadBalancerArn: Ref(idPoolLB), Protocol: "TCP", Port: p.Number,
			DefaultActions: []Action{{Type: "forward", TargetGroupArn: Ref(tg)}},
		}})
	}
}

// poolTargetGroups are the target groups the pool registers in.
func (b *builder) poolTargetGroups() []any {
	tgs := []any{Ref(idPoolTG)}
	if render.Stratum(b.cfg) {
		tgs = append(tgs, Ref(idStratumTG))
	}
	return tgs
}

// addPool adds the pool's host, an Auto Scaling group of one on-demand
// instance running `ethfleet pool` and `ethfleet autoscale`. The pool's
// node is mining.node, or the first deployed node at its Route53 name.
func (b *builder) addPool() error {
	node := "" // CheckMining has made sure mining.node is set then
	if len(b.nodes) > 0 {
		node = b.atRoute53(b.nodes[0].node).RPC
	}
	pool, err := render.PoolConfig(b.cfg, node)
	if err != nil {
		return err
	}
	scale, err := render.AutoscaleConfig(b.cfg, render.Scaler{
		Provider: "aws-asg", AutoScalingGroup: minerGroupName, Region: b.cfg.AWS.Region,
		PoolHost: "127.0.0.1", Ops: autoscaleOps,
	})
	if err != nil {
		return err
	}
	b.poolSecrets = secretNames(string(pool))
	boot, err := userData(b.hostVars("pool", b.poolSecrets), []hostFile{
		{name: "pool.yaml", data: pool},
		{name: "autoscale.yaml", data: scale, keep: []string{"AWS::StackName"}},
	}, prelude+poolScript)
	if err != nil {
		return err
	}
	b.launchTemplate("PoolLaunchTemplate", "PoolInstanceProfile", []string{idPoolSG, idAccessSG}, LaunchTemplateData{
		InstanceType: b.cfg.Mining.Deploy.PoolInstanceType, UserData: boot,
	})
	b.t.add("PoolGroup", Resource{
		Type: "AWS::AutoScaling::AutoScalingGroup",
		Properties: AutoScalingGroup{
			AutoScalingGroupName: Sub(poolGroupName),
			MinSize:              "1", MaxSize: "1", DesiredCapacity: "1",
			VPCZoneIdentifier: b.subnets,
			LaunchTemplate:    &LaunchTemplateSpecification{LaunchTemplateId: Ref("PoolLaunchTemplate"), Version: GetAtt("PoolLaunchTemplate", "LatestVersionNumber")},
			TargetGroupARNs:   b.poolTargetGroups(),
			Tags:              nameTag("pool"),
		},
	})
	return nil
}

// miningOutputs export where miners connect and the group the autoscaler
// scales.
func (b *builder) miningOutputs() {
	endpoint := "stratum+tcp://${" + idPoolLB + ".DNSName}:" + strconv.Itoa(render.StratumPort)
	if !render.Stratum(b.cfg) {
		endpoint = "http://${" + idPoolLB + ".DNSName}:" + strconv.Itoa(render.PoolPort)
	}
	b.output("PoolEndpoint", "Where miners connect to the pool, inside the VPC", Sub(endpoint))
	b.output("MinersGroup", "The miners' Auto Scaling group, whose desired capacity ethfleet autoscale sets", Ref(idMinerGroup))
}
