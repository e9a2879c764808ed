package cfn

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Launch lifecycle hook of a node's group: the boot script completes it
// once the agent reports ready, sending heartbeats while it waits; a host
// whose boot fails is abandoned and replaced.
const (
	hookName    = "ready"
	hookTimeout = 2 * 60 * 60 // seconds, the longest EC2 Auto Scaling allows
)

// idBootScript is the SSM parameter holding the nodes' shared boot
// script, named bootScriptName.
const (
	idBootScript   = "NodeBootScript"
	bootScriptName = "/${AWS::StackName}/boot/node"
)

// dataDevice is where a node's data volume is attached.
const dataDevice = "/dev/sdf"

// logsAndZone adds the log group and the private hosted zone.
func (b *builder) logsAndZone() {
	b.t.add(idLogGroup, Resource{Type: "AWS::Logs::LogGroup", Properties: LogGroup{RetentionInDays: 30}})
	b.t.add(idZone, Resource{Type: "AWS::Route53::HostedZone", Properties: HostedZone{
		Name:             b.cfg.AWS.HostedZone,
		HostedZoneConfig: &HostedZoneConfig{Comment: "ethfleet nodes, kept by their agents, and rpc, the gateways"},
		VPCs:             []ZoneVPC{{VPCId: b.vpc, VPCRegion: Ref("AWS::Region")}},
	}})
}

// addNodes adds the nodes' shared boot script and, per node, a launch
// template and an Auto Scaling group of one instance.
func (b *builder) addNodes() error {
	b.t.add(idBootScript, Resource{Type: "AWS::SSM::Parameter", Properties: SSMParameter{
		Name: Sub(bootScriptName), Type: "String", Tier: "Standard", Value: prelude + nodeScript,
		Description: "The boot script every ethfleet node of the stack runs",
	}})
	for _, dn := range b.nodes {
		n := dn.node
		agent, err := render.AgentConfig(b.cfg, n.Name, b.atRoute53Except(n.Name), render.AgentOptions{
			DNS:        &config.AgentDNS{ZoneID: "${" + idZone + "}", Name: b.nodeHost(n)},
			EMF:        true,
			Containers: hostContainers(n),
		})
		if err != nil {
			return fmt.Errorf("cfn: node %s: %w", n.Name, err)
		}
		secrets := secretNames(string(agent), idZone)
		b.nodeSecrets = union(b.nodeSecrets, secrets)
		boot, err := userData(b.nodeVars(n, secrets), []hostFile{{name: "agent.yaml", data: agent, keep: []string{idZone}}}, nodeBoot)
		if err != nil {
			return fmt.Errorf("cfn: node %s: %w", n.Name, err)
		}
		itype, err := InstanceType(b.cfg.AWS.InstanceType, n.Resources)
		if err != nil {
			return fmt.Errorf("cfn: node %s: %w", n.Name, err)
		}
		role := b.roleOf(n)
		data := LaunchTemplateData{
			InstanceType: itype,
			UserData:     boot,
		}
		if n.Snapshot.Source != config.SnapshotEBS {
			v := n.Volume
			data.BlockDeviceMappings = []BlockDeviceMapping{{DeviceName: dataDevice, Ebs: Ebs{
				VolumeType: v.Type, VolumeSize: v.SizeGiB, Iops: v.IOPS, Throughput: v.ThroughputMiBps,
				Encrypted: true, DeleteOnTermination: true,
			}}}
		}
		lt := "Node" + dn.id + "LaunchTemplate"
		b.launchTemplate(lt, role.profile(), []string{idNodeSG}, data)
		b.t.add("Node"+dn.id+"Group", Resource{
			Type:      "AWS::AutoScaling::AutoScalingGroup",
			DependsOn: append(b.nodePolicies(role), idBootScript),
			Properties: AutoScalingGroup{
				AutoScalingGroupName: Sub("${AWS::StackName}-" + render.Name(n.Name)),
				MinSize:              "1", MaxSize: "1", DesiredCapacity: "1",
				VPCZoneIdentifier: b.subnets,
				LaunchTemplate:    &LaunchTemplateSpecification{LaunchTemplateId: Ref(lt), Version: GetAtt(lt, "LatestVersionNumber")},
				HealthCheckType:   "EC2",
				LifecycleHookSpecificationList: []LifecycleHookSpecification{{
					LifecycleHookName: hookName, LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
					HeartbeatTimeout: hookTimeout, DefaultResult: "ABANDON",
				}},
				Tags: b.groupTags(n.Name),
			},
		})
	}
	return nil
}

// atRoute53Except locates every node at its Route53 name but self, which
// its agent reaches on the host: its record appears only once it is ready.
func (b *builder) atRoute53Except(self string) func(config.Node) render.NodeURLs {
	return func(n config.Node) render.NodeURLs {
		if n.Name == self {
			return render.Locate(n, "127.0.0.1", "127.0.0.1")
		}
		return b.atRoute53(n)
	}
}

// nodeVars are the variables of a node's boot script.
func (b *builder) nodeVars(n config.Node, secrets []string) []string {
	exec, cons := render.Args(b.cfg, n, "127.0.0.1")
	consImage := ""
	if n.Consensus != nil {
		consImage = n.Consensus.Image
	}
	v := n.Volume
	// The agent reads the data volume for the free-space metric; the
	// snapshotter's also stops and starts the clients through the Docker
	// API and reads and indexes their data, as root, as they write it.
	agentMounts := []string{"-v", "/data:/data:ro"}
	if render.Snapshotter(b.cfg, n.Name) {
		agentMounts = []string{"-u", "0", "-v", "/data:/data", "-v", render.DockerSocket + ":" + render.DockerSocket}
	}
	return append(b.hostVars(render.Name(n.Name), secrets),
		shellVar("SOURCE", n.Snapshot.Source)+" "+shellVar("NETWORK", b.cfg.Network.Name)+" "+shellVar("CLIENT", n.Execution.Client),
		"SIZE="+strconv.Itoa(v.SizeGiB)+" IOPS="+strconv.Itoa(v.IOPS)+" TPUT="+strconv.Itoa(v.ThroughputMiBps)+" "+shellVar("STORE", b.cfg.Snapshots.Store.String()),
		shellVar("EXEC_IMAGE", n.Execution.Image),
		shellArray("EXEC_ARGS", exec),
		shellVar("CONS_IMAGE", consImage),
		shellArray("CONS_ARGS", cons),
		shellArray("AGENT_V", agentMounts),
	)
}

// hostContainers are the containers of node n's clients on its host, as
// the boot script names them, consensus first: the order the snapshotter
// stops them in.
func hostContainers(n config.Node) []string {
	if n.Consensus != nil {
		return []string{"consensus", "execution"}
	}
	return []string{"execution"}
}

// hostVars are the variables every boot script has.
func (b *builder) hostVars(node string, secrets []string) []string {
	return []string{
		"STACK=${AWS::StackName} REGION=${AWS::Region} LOGS=${" + idLogGroup + "} " + shellVar("NODE", node),
		shellVar("IMAGE", b.cfg.AWS.Image) + " " + shellVar("SECRETS", strings.Join(secrets, " ")),
	}
}

// launchTemplate adds a launch template for instances in the private
// subnets, in the security groups sgs, that require IMDSv2 (two hops, for
// containers).
func (b *builder) launchTemplate(id, profile string, sgs []string, data LaunchTemplateData) {
	data.ImageId = Ref(idAMI)
	data.IamInstanceProfile = IamInstanceProfile{Arn: GetAtt(profile, "Arn")}
	for _, sg := range sgs {
		data.SecurityGroupIds = append(data.SecurityGroupIds, Ref(sg))
	}
	data.MetadataOptions = MetadataOptions{HttpEndpoint: "enabled", HttpTokens: "required", HttpPutResponseHopLimit: 2}
	b.t.add(id, Resource{Type: "AWS::EC2::LaunchTemplate", Properties: LaunchTemplate{LaunchTemplateData: data}})
}

// groupTags name a group's instances and mark them as this fleet's, which
// the EBS policy's conditions check.
func (b *builder) groupTags(what string) []ASGTag {
	return []ASGTag{
		{Key: "Name", Value: Sub("${AWS::StackName}-" + what), PropagateAtLaunch: true},
		{Key: "ethfleet:fleet", Value: Ref("AWS::StackName"), PropagateAtLaunch: true},
	}
}
