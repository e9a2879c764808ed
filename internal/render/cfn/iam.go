package cfn

import (
	"net/url"
	"strings"

	"github.com/ethfleet/ethfleet/internal/config"
)

// A node's role says which policies it carries beyond every node's: EC2
// calls to restore its volume from an EBS snapshot, and writes to the
// snapshot store for the snapshotter.
type nodeRole struct{ ebs, snapshotter bool }

func (b *builder) roleOf(n config.Node) nodeRole {
	return nodeRole{
		ebs:         n.Snapshot.Source == config.SnapshotEBS,
		snapshotter: n.Name == b.cfg.Snapshots.Snapshotter && b.s3Store() != nil,
	}
}

// id is the role's logical id, such as NodeEbsRole.
func (r nodeRole) id() string {
	id := "Node"
	if r.ebs {
		id += "Ebs"
	}
	if r.snapshotter {
		id += "Snapshotter"
	}
	return id + "Role"
}

// profile is the logical id of the role's instance profile.
func (r nodeRole) profile() string { return strings.TrimSuffix(r.id(), "Role") + "InstanceProfile" }

// s3Store is the snapshot store's bucket and prefix when it is in S3.
func (b *builder) s3Store() *url.URL {
	u, err := url.Parse(b.cfg.Snapshots.Store.String())
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil
	}
	return u
}

const (
	arnPrefix    = "arn:${AWS::Partition}:"
	arnRegion    = "${AWS::Region}:${AWS::AccountId}:"
	stringEquals = "StringEquals"
)

// roles adds the nodes' roles, the gateways' role, and the policies that
// scope them to this stack: its log group, its hosted zone, its Auto
// Scaling groups, its secrets, its snapshots. Hosts are reached with SSM
// Session Manager (AmazonSSMManagedInstanceCore), never SSH.
func (b *builder) roles() {
	used := map[nodeRole]bool{}
	for _, dn := range b.nodes {
		used[b.roleOf(dn.node)] = true
	}
	var all, ebs, snap []any
	for _, r := range []nodeRole{{}, {ebs: true}, {snapshotter: true}, {ebs: true, snapshotter: true}} {
		if !used[r] {
			continue
		}
		b.role(r.id(), r.profile(), "An ethfleet node")
		all = append(all, Ref(r.id()))
		if r.ebs {
			ebs = append(ebs, Ref(r.id()))
		}
		if r.snapshotter {
			snap = append(snap, Ref(r.id()))
		}
	}
	node := []Statement{
		allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, GetAtt(idLogGroup, "Arn")),
		allow([]string{"route53:ChangeResourceRecordSets"}, Sub(arnPrefix+"route53:::hostedzone/${"+idZone+"}")),
		allow([]string{"route53:GetChange"}, Sub(arnPrefix+"route53:::change/*")),
		allow([]string{"autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"},
			Sub(arnPrefix+"autoscaling:"+arnRegion+"autoScalingGroup:*:autoScalingGroupName/${AWS::StackName}-*")),
	}
	node = append(node, readParameters(bootScriptName, b.nodeSecrets))
	if u := b.s3Store(); u != nil {
		bucket, prefix := u.Host, strings.Trim(u.Path, "/")
		objects, locks := bucket+"/*", bucket+"/locks/*"
		if prefix != "" {
			objects, locks = bucket+"/"+prefix+"/*", bucket+"/"+prefix+"/locks/*"
		}
		list := allow([]string{"s3:ListBucket"}, Sub(arnPrefix+"s3:::"+bucket))
		if prefix != "" {
			list.Condition = map[string]any{"StringLike": map[string]any{"s3:prefix": []string{prefix, prefix + "/*"}}}
		}
		node = append(node, list, allow([]string{"s3:GetObject"}, Sub(arnPrefix+"s3:::"+objects)),
			// A restore locks the snapshot it reads, so that a prune keeps it.
			allow([]string{"s3:PutObject", "s3:DeleteObject"}, Sub(arnPrefix+"s3:::"+locks)))
		if len(snap) > 0 {
			b.policy("SnapshotWritePolicy", snap, allow([]string{"s3:PutObject", "s3:DeleteObject"}, Sub(arnPrefix+"s3:::"+objects)))
		}
	}
	b.policy("NodePolicy", all, node...)
	if len(ebs) > 0 {
		b.policy("NodeEbsPolicy", ebs, ebsStatements()...)
	}

	b.role("GatewayRole", "GatewayInstanceProfile", "An ethfleet gateway")
	gateway := []Statement{allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, GetAtt(idLogGroup, "Arn"))}
	if len(b.gatewaySecrets) > 0 {
		gateway = append(gateway, readParameters("", b.gatewaySecrets))
	}
	b.policy("GatewayPolicy", []any{Ref("GatewayRole")}, gateway...)
}

// nodePolicies are the logical ids of the policies a node's role carries,
// for its Auto Scaling group to wait for.
func (b *builder) nodePolicies(r nodeRole) []string {
	ids := []string{"NodePolicy"}
	if r.ebs {
		ids = append(ids, "NodeEbsPolicy")
	}
	if r.snapshotter {
		ids = append(ids, "SnapshotWritePolicy")
	}
	return ids
}

// ebsStatements let a node restore its volume: create a volume tagged as
// this fleet's from a snapshot of this fleet, and attach it to one of this
// fleet's instances.
func ebsStatements() []Statement {
	fleet := func(key string) map[string]any {
		return map[string]any{stringEquals: map[string]any{key: Ref("AWS::StackName")}}
	}
	volumes := Sub(arnPrefix + "ec2:" + arnRegion + "volume/*")
	create := allow([]string{"ec2:CreateVolume"}, volumes)
	create.Condition = fleet("aws:RequestTag/ethfleet:fleet")
	from := allow([]string{"ec2:CreateVolume"}, Sub(arnPrefix+"ec2:${AWS::Region}::snapshot/*"))
	from.Condition = fleet("aws:ResourceTag/ethfleet:fleet")
	tag := allow([]string{"ec2:CreateTags"}, volumes)
	tag.Condition = map[string]any{stringEquals: map[string]any{"ec2:CreateAction": "CreateVolume"}}
	attach := allow([]string{"ec2:AttachVolume"}, volumes, Sub(arnPrefix+"ec2:"+arnRegion+"instance/*"))
	attach.Condition = fleet("aws:ResourceTag/ethfleet:fleet")
	describe := allow([]string{"ec2:DescribeSnapshots", "ec2:DescribeVolumes"}, "*")
	return []Statement{create, from, tag, attach, describe}
}

// readParameters lets a host read the parameter named first, if any, and
// the named secrets, and no other parameter.
func readParameters(first string, secrets []string) Statement {
	var arns []any
	if first != "" {
		arns = append(arns, Sub(arnPrefix+"ssm:"+arnRegion+"parameter"+first))
	}
	for _, n := range secrets {
		arns = append(arns, Sub(arnPrefix+"ssm:"+arnRegion+"parameter/${AWS::StackName}/gateway/"+n))
	}
	return allow([]string{"ssm:GetParameter"}, arns...)
}

func allow(actions []string, resources ...any) Statement {
	return Statement{Effect: "Allow", Action: actions, Resource: resources}
}

// role adds a role EC2 instances assume, with Session Manager access and
// the statements of inline, if any, as a policy of its own; and its
// instance profile.
func (b *builder) role(id, profile, description string, inline ...Statement) {
	r := Role{
		Description: description,
		AssumeRolePolicyDocument: Policy{Version: "2012-10-17", Statement: []Statement{{
			Effect: "Allow", Principal: map[string]any{"Service": "ec2.amazonaws.com"}, Action: []string{"sts:AssumeRole"},
		}}},
		ManagedPolicyArns: []any{Sub(arnPrefix + "iam::aws:policy/AmazonSSMManagedInstanceCore")},
	}
	if len(inline) > 0 {
		r.Policies = []Inline{{PolicyName: id, PolicyDocument: Policy{Version: "2012-10-17", Statement: inline}}}
	}
	b.t.add(id, Resource{Type: "AWS::IAM::Role", Properties: r})
	b.t.add(profile, Resource{Type: "AWS::IAM::InstanceProfile", Properties: InstanceProfile{Roles: []any{Ref(id)}}})
}

// policy adds a policy attached to roles.
func (b *builder) policy(id string, roles []any, statements ...Statement) {
	b.t.add(id, Resource{Type: "AWS::IAM::Policy", Properties: IAMPolicy{
		PolicyName: id, Roles: roles, PolicyDocument: Policy{Version: "2012-10-17", Statement: statements},
	}})
}
