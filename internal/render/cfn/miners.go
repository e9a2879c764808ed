package cfn

import (
	"fmt"
	"strconv"

	"github.com/ethfleet/ethfleet/internal/render"
)

// dagFileSystem adds the miners' shared DAG directory: an encrypted EFS
// file system with elastic throughput (one miner writes the DAG, all of
// them then read it) and a mount target in each private subnet.
func (b *builder) dagFileSystem() {
	b.t.add(idDAG, Resource{Type: "AWS::EFS::FileSystem", Properties: FileSystem{
		Encrypted: true, ThroughputMode: "elastic", FileSystemTags: b.name("dag"),
	}})
	for i, subnet := range b.subnetList() {
		b.t.add(fmt.Sprintf("DagMountTarget%d", i+1), Resource{Type: "AWS::EFS::MountTarget", Properties: MountTarget{
			FileSystemId: Ref(idDAG), SubnetId: subnet, SecurityGroups: []any{Ref(idDAGSG)},
		}})
	}
}

// subnetList returns each private subnet's id as a template value.
func (b *builder) subnetList() []any {
	if list, ok := b.subnets.([]any); ok {
		return list
	}
	ids := make([]any, len(b.cfg.AWS.SubnetIDs))
	for i := range ids {
		ids[i] = Select(i, b.subnets)
	}
	return ids
}

// addMiners adds the miners' Auto Scaling group: from none up to
// mining.autoscale.maxMiners instances, whose desired capacity the
// autoscaler sets, so the template names none and an update of the stack
// leaves it as it is.
//
// The miners are spot instances of several types, placed where spot
// capacity is deepest (capacity-optimized), and replaced ahead of an
// interruption when EC2 signals a raised risk (CapacityRebalance). EC2
// Auto Scaling does not turn to on-demand by itself when spot capacity
// runs out; the on-demand fallback is the MinersOnDemandBase parameter
// (default 0): updating the stack with it at N makes the first N miners
// on-demand instances, of the first type that has capacity (prioritized).
func (b *builder) addMiners() error {
	d := b.cfg.Mining.Deploy
	miner, err := render.MinerConfig(b.cfg, "${"+idPoolLB+".DNSName}", 0)
	if err != nil {
		return err
	}
	vars := append(b.hostVars("miner", nil), "FS=${"+idDAG+"}")
	boot, err := userData(vars, []hostFile{{name: "miner.yaml", data: miner, keep: []string{idPoolLB + ".DNSName"}}}, preludeDocker+preludeRun+minerScript)
	if err != nil {
		return err
	}
	// The group's instance types override the template's.
	b.launchTemplate("MinerLaunchTemplate", "MinerInstanceProfile", []string{idMinerSG}, LaunchTemplateData{UserData: boot})
	b.t.Parameters[idOnDemandBase] = Parameter{
		Type:        "Number",
		Description: "Miners on-demand, not spot: the fallback when spot runs out",
		Default:     "0",
	}
	b.params = append(b.params, ParameterValue{idOnDemandBase, "0"})
	var types []LaunchTemplateOverrides
	for _, t := range d.MinerInstanceTypes {
		types = append(types, LaunchTemplateOverrides{InstanceType: t})
	}
	var dependsOn []string
	for i := range b.subnetList() {
		dependsOn = append(dependsOn, fmt.Sprintf("DagMountTarget%d", i+1))
	}
	b.t.add(idMinerGroup, Resource{
		Type:      "AWS::AutoScaling::AutoScalingGroup",
		DependsOn: dependsOn,
		Properties: AutoScalingGroup{
			AutoScalingGroupName: Sub(minerGroupName),
			MinSize:              "0", MaxSize: strconv.Itoa(*b.cfg.Mining.Autoscale.MaxMiners),
			VPCZoneIdentifier: b.subnets,
			MixedInstancesPolicy: &MixedInstancesPolicy{
				InstancesDistribution: InstancesDistribution{
					OnDemandAllocationStrategy: "prioritized", OnDemandBaseCapacity: Ref(idOnDemandBase),
					OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: "capacity-optimized",
				},
				LaunchTemplate: MixedLaunchTemplate{
					LaunchTemplateSpecification: LaunchTemplateSpecification{
						LaunchTemplateId: Ref("MinerLaunchTemplate"), Version: GetAtt("MinerLaunchTemplate", "LatestVersionNumber"),
					},
					Overrides: types,
				},
			},
			CapacityRebalance: true,
			Tags:              nameTag("miner"),
		},
	})
	return nil
}

// miningRoles add the pool's role, which also runs the autoscaler, and
// the miners'. The autoscaler may set the desired capacity of the miners'
// group and of no other; describing groups cannot be scoped. The policies
// are inline: a host gets its role's permissions with its role.
func (b *builder) miningRoles() {
	logs := allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, GetAtt(idLogGroup, "Arn"))
	pool := []Statement{
		logs,
		allow([]string{"autoscaling:SetDesiredCapacity"}, Sub(arnPrefix+"autoscaling:"+arnRegion+"autoScalingGroup:*:autoScalingGroupName/"+minerGroupName)),
		allow([]string{"autoscaling:DescribeAutoScalingGroups"}, "*"),
	}
	if len(b.poolSecrets) > 0 {
		pool = append(pool, readParameters("", b.poolSecrets))
	}
	b.role("PoolRole", "PoolInstanceProfile", "An ethfleet mining pool and its autoscaler", pool...)
	b.role("MinerRole", "MinerInstanceProfile", "An ethfleet miner", logs)
}
