package config

import "time"

// ExecutionClient is the execution client a deployed node runs.
type ExecutionClient struct {
	// Client is geth, reth, nethermind, erigon or besu.
	Client string `yaml:"client"`
	// Image is the container image, pinned to a version (default: the
	// version ethfleet was tested with).
	Image string `yaml:"image"`
	// Args are extra flags, after the ones ethfleet computes.
	Args []string `yaml:"args"`
	// Entrypoint is the image's ENTRYPOINT, which the Kubernetes
	// snapshotter's container runs through `ethfleet hold run` (default:
	// the catalog image's, for an image of the same repository).
	Entrypoint []string `yaml:"entrypoint"`
}

// ConsensusClient is the consensus client beside a node's execution client.
type ConsensusClient struct {
	// Client is lighthouse, prysm, teku, nimbus or lodestar.
	Client string `yaml:"client"`
	Image  string `yaml:"image"`
	// CheckpointSyncURL is a beacon node to fetch a finalized state from
	// (default: the network's public checkpoint sync endpoint).
	CheckpointSyncURL string   `yaml:"checkpointSyncUrl"`
	Args              []string `yaml:"args"`
}

// Resources are what a deployed node's clients need together.
type Resources struct {
	// CPU is in cores (default 4); MemoryGiB in GiB (default 16 on
	// testnets, 32 on mainnet).
	CPU       int `yaml:"cpu"`
	MemoryGiB int `yaml:"memoryGiB"`
}

// Volume is a deployed node's data volume, holding both clients' data.
type Volume struct {
	// Type is the EBS volume type on AWS (gp3, io2) and the storage class
	// on Kubernetes (default gp3; kubernetes.storageClass overrides).
	Type string `yaml:"type"`
	// SizeGiB defaults to what the network needs.
	SizeGiB int `yaml:"sizeGiB"`
	// IOPS and ThroughputMiBps are provisioned performance (gp3 default
	// 6000 and 500: an execution client is bound by random reads).
	IOPS            int `yaml:"iops"`
	ThroughputMiBps int `yaml:"throughputMiBps"`
}

// Sources of a node's data, where its volume starts empty.
const (
	// SnapshotStore restores the fleet's latest snapshot from
	// snapshots.store before the clients start.
	SnapshotStore = "store"
	// SnapshotEBS creates the volume from the latest EBS snapshot of the
	// network and client (AWS only).
	SnapshotEBS = "ebs"
	// SnapshotVolume starts the volume claim from a Kubernetes
	// VolumeSnapshot (Kubernetes only).
	SnapshotVolume = "volumeSnapshot"
	// SnapshotNone syncs from peers.
	SnapshotNone = "none"
)

// NodeSnapshot says where an empty data volume is filled from.
type NodeSnapshot struct {
	// Source is store, ebs, volumeSnapshot or none (default: store when
	// snapshots.store is set, none otherwise).
	Source string `yaml:"source"`
	// VolumeSnapshot names the Kubernetes VolumeSnapshot, for source
	// volumeSnapshot.
	VolumeSnapshot string `yaml:"volumeSnapshot"`
}

// FleetSnapshots configure the snapshots of a deployed fleet.
type FleetSnapshots struct {
	// Store is file://PATH or s3://BUCKET/PREFIX.
	Store Secret `yaml:"store"`
	// Every is the time between snapshots of the snapshotter (default 24h).
	Every time.Duration `yaml:"every"`
	// Keep is how many are kept (default 3).
	Keep int `yaml:"keep"`
	// Snapshotter names the node that leaves rotation to be snapshotted
	// (default: the last node).
	Snapshotter string `yaml:"snapshotter"`
}

// AWS configures `ethfleet render aws` and `ethfleet deploy aws`.
type AWS struct {
	// Region and StackName of the CloudFormation stack (default stack
	// name: ethfleet-NETWORK).
	Region    string `yaml:"region"`
	StackName string `yaml:"stackName"`
	// VPCID and SubnetIDs place the fleet in an existing VPC (private
	// subnets, in at least two Availability Zones for the load balancer);
	// NewVPC creates one instead.
	VPCID     string   `yaml:"vpcId"`
	SubnetIDs []string `yaml:"subnetIds"`
	NewVPC    *NewVPC  `yaml:"newVpc"`
	// InstanceType overrides the type chosen from each node's resources;
	// GatewayInstanceType is the gateways' (default c7i.large).
	InstanceType        string `yaml:"instanceType"`
	GatewayInstanceType string `yaml:"gatewayInstanceType"`
	// CertificateARN, when set, adds an HTTPS listener with this ACM
	// certificate to the gateway's load balancer.
	CertificateARN string `yaml:"certificateArn"`
	// HostedZone is the private Route53 zone nodes are named in (default
	// ethfleet.internal).
	HostedZone string `yaml:"hostedZone"`
	// AlarmTopicARN, when set, is the SNS topic the alarms notify.
	AlarmTopicARN string `yaml:"alarmTopicArn"`
	// Image is the ethfleet container image the hosts run.
	Image string `yaml:"image"`
	// TemplateBucket is an S3 bucket in aws.region where `ethfleet deploy
	// aws` puts a template too large for a request (over 51,200 bytes
	// even as compact JSON: a fleet of more than a few nodes), for
	// CloudFormation to read it from there (up to 1 MB); the stack's
	// older uploads but the 5 newest are removed.
	TemplateBucket string `yaml:"templateBucket"`
}

// NewVPC is a VPC the stack creates: two public subnets for NAT and two
// private ones for the fleet.
type NewVPC struct {
	// CIDR is the VPC's IPv4 block, a /16 to /20 (default 10.40.0.0/16).
	CIDR string `yaml:"cidr"`
}

// Kubernetes configures `ethfleet render k8s`.
type Kubernetes struct {
	// Namespace the manifests go in (default ethfleet).
	Namespace string `yaml:"namespace"`
	// StorageClass of the data volume claims (default: the cluster's).
	StorageClass string `yaml:"storageClass"`
	// Image is the ethfleet container image.
	Image string `yaml:"image"`
	// RPCClientLabel is the pod label (key=value) that lets a pod reach
	// the nodes' and gateways' RPC (default ethfleet.io/rpc-client=true).
	RPCClientLabel string `yaml:"rpcClientLabel"`
}

// Compose configures `ethfleet render compose`.
type Compose struct {
	// Project is the compose project name (default ethfleet).
	Project string `yaml:"project"`
	// Image is the ethfleet container image.
	Image string `yaml:"image"`
	// Publish is the host address the gateway, Grafana and Prometheus are
	// published on (default 127.0.0.1).
	Publish string `yaml:"publish"`
}
