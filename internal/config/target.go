package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Deploy targets, as `ethfleet render` names them.
const (
	TargetAWS        = "aws"
	TargetKubernetes = "k8s"
	TargetCompose    = "compose"
)

// CheckTarget reports everything that keeps the fleet from being deployed
// to target, with the file and line of each key, so that nothing is
// rendered from a description that cannot work there.
func (c *Config) CheckTarget(target string) error {
	ps := &problems{file: c.source, lines: c.lines}
	if ps.lines == nil {
		ps.lines = map[string]int{}
	}
	c.checkDeployable(ps, target)
	switch target {
	case TargetAWS:
		c.AWS.check(ps)
	case TargetKubernetes:
		c.Kubernetes.check(ps)
	case TargetCompose:
		if ip, err := netip.ParseAddr(c.Compose.Publish); err != nil {
			ps.add("compose.publish", "%q is not an IP address", c.Compose.Publish)
		} else if !ip.IsLoopback() && len(c.Gateway.APIKeys) == 0 {
			ps.add("compose.publish", "%s is reachable beyond this host, so gateway.apiKeys must list at least one key", ip)
		}
		checkImage(ps, "compose.image", c.Compose.Image)
	default:
		return fmt.Errorf("config: unknown target %q: one of aws, k8s, compose", target)
	}
	return ps.err()
}

// checkDeployable holds what every target needs: nodes it can deploy,
// sources of data it offers, and gateway keys that stay out of rendered
// files.
func (c *Config) checkDeployable(ps *problems, target string) {
	if len(c.Nodes) == 0 {
		ps.add("nodes", "is empty: list the nodes to deploy, each with its execution client")
	}
	offers := map[string][]string{
		TargetAWS:        {SnapshotStore, SnapshotEBS, SnapshotNone},
		TargetKubernetes: {SnapshotStore, SnapshotVolume, SnapshotNone},
		TargetCompose:    {SnapshotStore, SnapshotNone},
	}[target]
	for i, n := range c.Nodes {
		key := fmt.Sprintf("nodes[%d]", i)
		if !n.Deployed() {
			ps.add(key+".execution", "is required to deploy %s: name its execution client (%s)", n.Name, "geth, reth, nethermind, erigon or besu")
			continue
		}
		if !slices.Contains(offers, n.Snapshot.Source) {
			ps.add(key+".snapshot.source", "%s is not offered on %s; use one of %s", n.Snapshot.Source, target, list(offers))
		}
	}
	if target != TargetCompose && len(c.Gateway.APIKeys) == 0 {
		ps.add("gateway.apiKeys", "a deployed gateway is reachable from other hosts: list at least one key")
	}
	for i, k := range c.Gateway.APIKeys {
		if !strings.Contains(k.Key.String(), "${") {
			ps.add(fmt.Sprintf("gateway.apiKeys[%d].key", i), "is written in the file; give it as ${NAME} so that rendered files carry only the name")
		}
	}
	if target != TargetCompose && strings.HasPrefix(c.Snapshots.Store.String(), "file://") {
		ps.add("snapshots.store", "file:// is a path on one host; nodes on %s need s3://", target)
	}
}

func (a *AWS) check(ps *problems) {
	if !region.MatchString(a.Region) {
		ps.add("aws.region", "%q is not an AWS region such as eu-west-1", a.Region)
	}
	if !stackName.MatchString(a.StackName) {
		ps.add("aws.stackName", "%q is not a stack name: a letter, then letters, digits and dashes, up to 128", a.StackName)
	}
	if b := a.TemplateBucket; b != "" && !bucketName.MatchString(b) {
		ps.add("aws.templateBucket", "%q is not an S3 bucket name: 3 to 63 lowercase letters, digits, dots and dashes", b)
	}
	switch {
	case a.NewVPC != nil && a.VPCID != "":
		ps.add("aws.newVpc", "and aws.vpcId exclude each other: create a VPC or name one")
	case a.NewVPC != nil:
		if p, err := netip.ParsePrefix(a.NewVPC.CIDR); err != nil || !p.Addr().Is4() || p.Bits() < 16 || p.Bits() > 20 {
			ps.add("aws.newVpc.cidr", "%q is not an IPv4 block from /16 to /20", a.NewVPC.CIDR)
		}
		if len(a.SubnetIDs) > 0 {
			ps.add("aws.subnetIds", "belong to aws.vpcId; a new VPC makes its own subnets")
		}
	case a.VPCID == "":
		ps.add("aws.vpcId", "is required: the VPC to deploy into (vpc-…), or aws.newVpc to create one")
	case !vpcID.MatchString(a.VPCID):
		ps.add("aws.vpcId", "%q is not a VPC id such as vpc-0a1b2c3d4e5f67890", a.VPCID)
	default:
		if len(a.SubnetIDs) < 2 {
			ps.add("aws.subnetIds", "needs at least two private subnets of aws.vpcId, in different Availability Zones, for the load balancer")
		}
		for i, s := range a.SubnetIDs {
			if !subnetID.MatchString(s) {
				ps.add(fmt.Sprintf("aws.subnetIds[%d]", i), "%q is not a subnet id such as subnet-0a1b2c3d4e5f67890", s)
			}
		}
	}
	for key, t := range map[string]string{"aws.instanceType": a.InstanceType, "aws.gatewayInstanceType": a.GatewayInstanceType} {
		if t != "" && !instType.MatchString(t) {
			ps.add(key, "%q is not an EC2 instance type such as m7i.2xlarge", t)
		}
	}
	if a.CertificateARN != "" && !arnACM.MatchString(a.CertificateARN) {
		ps.add("aws.certificateArn", "%q is not an ACM certificate ARN", a.CertificateARN)
	}
	if a.AlarmTopicARN != "" && !arnSNS.MatchString(a.AlarmTopicARN) {
		ps.add("aws.alarmTopicArn", "%q is not an SNS topic ARN", a.AlarmTopicARN)
	}
	if !strings.Contains(a.HostedZone, ".") {
		ps.add("aws.hostedZone", "%q is not a domain name such as ethfleet.internal", a.HostedZone)
	}
	checkImage(ps, "aws.image", a.Image)
}

func (k *Kubernetes) check(ps *problems) {
	if !dnsLabel.MatchString(k.Namespace) {
		ps.add("kubernetes.namespace", "%q is not a namespace name (lower-case letters, digits, dashes)", k.Namespace)
	}
	if key, value, ok := strings.Cut(k.RPCClientLabel, "="); !ok || key == "" || value == "" {
		ps.add("kubernetes.rpcClientLabel", "%q is not a label such as ethfleet.io/rpc-client=true", k.RPCClientLabel)
	}
	checkImage(ps, "kubernetes.image", k.Image)
}
