package cfn

// Property types of the resources other than EC2's: Auto Scaling, Elastic
// Load Balancing, IAM, Route53, CloudWatch, CloudWatch Logs, EFS and SSM.

// AutoScalingGroup is AWS::AutoScaling::AutoScalingGroup.
type AutoScalingGroup struct {
	AutoScalingGroupName           any                          `yaml:"AutoScalingGroupName,omitempty"`
	MinSize                        string                       `yaml:"MinSize"`
	MaxSize                        string                       `yaml:"MaxSize"`
	DesiredCapacity                string                       `yaml:"DesiredCapacity,omitempty"`
	VPCZoneIdentifier              any                          `yaml:"VPCZoneIdentifier"`
	LaunchTemplate                 *LaunchTemplateSpecification `yaml:"LaunchTemplate,omitempty"`
	MixedInstancesPolicy           *MixedInstancesPolicy        `yaml:"MixedInstancesPolicy,omitempty"`
	CapacityRebalance              bool                         `yaml:"CapacityRebalance,omitempty"`
	HealthCheckType                string                       `yaml:"HealthCheckType,omitempty"`
	HealthCheckGracePeriod         int                          `yaml:"HealthCheckGracePeriod,omitempty"`
	TargetGroupARNs                []any                        `yaml:"TargetGroupARNs,omitempty"`
	LifecycleHookSpecificationList []LifecycleHookSpecification `yaml:"LifecycleHookSpecificationList,omitempty"`
	Tags                           []ASGTag                     `yaml:"Tags,omitempty"`
}

// LaunchTemplateSpecification is
// AWS::AutoScaling::AutoScalingGroup.LaunchTemplateSpecification.
type LaunchTemplateSpecification struct {
	LaunchTemplateId any `yaml:"LaunchTemplateId"`
	Version          any `yaml:"Version"`
}

// MixedInstancesPolicy is
// AWS::AutoScaling::AutoScalingGroup.MixedInstancesPolicy.
type MixedInstancesPolicy struct {
	InstancesDistribution InstancesDistribution `yaml:"InstancesDistribution"`
	LaunchTemplate        MixedLaunchTemplate   `yaml:"LaunchTemplate"`
}

// InstancesDistribution is
// AWS::AutoScaling::AutoScalingGroup.InstancesDistribution.
type InstancesDistribution struct {
	OnDemandAllocationStrategy          string `yaml:"OnDemandAllocationStrategy"`
	OnDemandBaseCapacity                any    `yaml:"OnDemandBaseCapacity"`
	OnDemandPercentageAboveBaseCapacity int    `yaml:"OnDemandPercentageAboveBaseCapacity"`
	SpotAllocationStrategy              string `yaml:"SpotAllocationStrategy"`
}

// MixedLaunchTemplate is AWS::AutoScaling::AutoScalingGroup.LaunchTemplate:
// a launch template and the instance types that override its own.
type MixedLaunchTemplate struct {
	LaunchTemplateSpecification LaunchTemplateSpecification `yaml:"LaunchTemplateSpecification"`
	Overrides                   []LaunchTemplateOverrides   `yaml:"Overrides"`
}

// LaunchTemplateOverrides is
// AWS::AutoScaling::AutoScalingGroup.LaunchTemplateOverrides.
type LaunchTemplateOverrides struct {
	InstanceType string `yaml:"InstanceType"`
}

// LifecycleHookSpecification is
// AWS::AutoScaling::AutoScalingGroup.LifecycleHookSpecification.
type LifecycleHookSpecification struct {
	LifecycleHookName   string `yaml:"LifecycleHookName"`
	LifecycleTransition string `yaml:"LifecycleTransition"`
	HeartbeatTimeout    int    `yaml:"HeartbeatTimeout"`
	DefaultResult       string `yaml:"DefaultResult"`
}

// ASGTag is AWS::AutoScaling::AutoScalingGroup.TagProperty.
type ASGTag struct {
	Key               string `yaml:"Key"`
	Value             any    `yaml:"Value"`
	PropagateAtLaunch bool   `yaml:"PropagateAtLaunch"`
}

// RollingUpdate is an Auto Scaling group's AutoScalingRollingUpdate
// update policy.
type RollingUpdate struct {
	MaxBatchSize          int `yaml:"MaxBatchSize"`
	MinInstancesInService int `yaml:"MinInstancesInService"`
}

// LoadBalancer is AWS::ElasticLoadBalancingV2::LoadBalancer.
type LoadBalancer struct {
	Type                   string      `yaml:"Type"`
	Scheme                 string      `yaml:"Scheme"`
	Subnets                any         `yaml:"Subnets"`
	SecurityGroups         []any       `yaml:"SecurityGroups"`
	LoadBalancerAttributes []Attribute `yaml:"LoadBalancerAttributes,omitempty"`
}

// Attribute is a load balancer's or target group's attribute.
type Attribute struct {
	Key   string `yaml:"Key"`
	Value string `yaml:"Value"`
}

// TargetGroup is AWS::ElasticLoadBalancingV2::TargetGroup.
type TargetGroup struct {
	VpcId                      any         `yaml:"VpcId"`
	Protocol                   string      `yaml:"Protocol"`
	Port                       int         `yaml:"Port"`
	TargetType                 string      `yaml:"TargetType"`
	HealthCheckProtocol        string      `yaml:"HealthCheckProtocol"`
	HealthCheckPort            string      `yaml:"HealthCheckPort"`
	HealthCheckPath            string      `yaml:"HealthCheckPath"`
	HealthCheckIntervalSeconds int         `yaml:"HealthCheckIntervalSeconds"`
	HealthyThresholdCount      int         `yaml:"HealthyThresholdCount"`
	UnhealthyThresholdCount    int         `yaml:"UnhealthyThresholdCount"`
	Matcher                    Matcher     `yaml:"Matcher"`
	TargetGroupAttributes      []Attribute `yaml:"TargetGroupAttributes,omitempty"`
}

// Matcher is AWS::ElasticLoadBalancingV2::TargetGroup.Matcher.
type Matcher struct {
	HttpCode string `yaml:"HttpCode"`
}

// Listener is AWS::ElasticLoadBalancingV2::Listener.
type Listener struct {
	LoadBalancerArn any           `yaml:"LoadBalancerArn"`
	Protocol        string        `yaml:"Protocol"`
	Port            int           `yaml:"Port"`
	SslPolicy       string        `yaml:"SslPolicy,omitempty"`
	Certificates    []Certificate `yaml:"Certificates,omitempty"`
	DefaultActions  []Action      `yaml:"DefaultActions"`
}

// Certificate is AWS::ElasticLoadBalancingV2::Listener.Certificate.
type Certificate struct {
	CertificateArn string `yaml:"CertificateArn"`
}

// Action is AWS::ElasticLoadBalancingV2::Listener.Action.
type Action struct {
	Type           string          `yaml:"Type"`
	TargetGroupArn any             `yaml:"TargetGroupArn,omitempty"`
	RedirectConfig *RedirectConfig `yaml:"RedirectConfig,omitempty"`
}

// RedirectConfig is AWS::ElasticLoadBalancingV2::Listener.RedirectConfig.
type RedirectConfig struct {
	Protocol   string `yaml:"Protocol"`
	Port       string `yaml:"Port"`
	StatusCode string `yaml:"StatusCode"`
}

// Role is AWS::IAM::Role.
type Role struct {
	Description              string   `yaml:"Description,omitempty"`
	AssumeRolePolicyDocument Policy   `yaml:"AssumeRolePolicyDocument"`
	ManagedPolicyArns        []any    `yaml:"ManagedPolicyArns,omitempty"`
	Tags                     []Tag    `yaml:"Tags,omitempty"`
	Policies                 []Inline `yaml:"Policies,omitempty"`
}

// Inline is AWS::IAM::Role.Policy, a policy embedded in a role.
type Inline struct {
	PolicyName     string `yaml:"PolicyName"`
	PolicyDocument Policy `yaml:"PolicyDocument"`
}

// InstanceProfile is AWS::IAM::InstanceProfile.
type InstanceProfile struct {
	Roles []any `yaml:"Roles"`
}

// IAMPolicy is AWS::IAM::Policy: a policy attached to several roles.
type IAMPolicy struct {
	PolicyName     string `yaml:"PolicyName"`
	PolicyDocument Policy `yaml:"PolicyDocument"`
	Roles          []any  `yaml:"Roles"`
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `yaml:"Version"`
	Statement []Statement `yaml:"Statement"`
}

// Statement is one statement of a policy document.
type Statement struct {
	Sid       string         `yaml:"Sid,omitempty"`
	Effect    string         `yaml:"Effect"`
	Principal map[string]any `yaml:"Principal,omitempty"`
	Action    []string       `yaml:"Action"`
	Resource  []any          `yaml:"Resource,omitempty"`
	Condition map[string]any `yaml:"Condition,omitempty"`
}

// HostedZone is AWS::Route53::HostedZone.
type HostedZone struct {
	Name             string            `yaml:"Name"`
	HostedZoneConfig *HostedZoneConfig `yaml:"HostedZoneConfig,omitempty"`
	VPCs             []ZoneVPC         `yaml:"VPCs"`
}

// HostedZoneConfig is AWS::Route53::HostedZone.HostedZoneConfig.
type HostedZoneConfig struct {
	Comment string `yaml:"Comment"`
}

// ZoneVPC is AWS::Route53::HostedZone.VPC.
type ZoneVPC struct {
	VPCId     any `yaml:"VPCId"`
	VPCRegion any `yaml:"VPCRegion"`
}

// RecordSet is AWS::Route53::RecordSet.
type RecordSet struct {
	HostedZoneId any          `yaml:"HostedZoneId"`
	Name         string       `yaml:"Name"`
	Type         string       `yaml:"Type"`
	AliasTarget  *AliasTarget `yaml:"AliasTarget,omitempty"`
}

// AliasTarget is AWS::Route53::RecordSet.AliasTarget.
type AliasTarget struct {
	DNSName              any  `yaml:"DNSName"`
	HostedZoneId         any  `yaml:"HostedZoneId"`
	EvaluateTargetHealth bool `yaml:"EvaluateTargetHealth"`
}

// LogGroup is AWS::Logs::LogGroup.
type LogGroup struct {
	RetentionInDays int `yaml:"RetentionInDays"`
}

// Dashboard is AWS::CloudWatch::Dashboard.
type Dashboard struct {
	DashboardBody any `yaml:"DashboardBody"`
}

// Alarm is AWS::CloudWatch::Alarm.
type Alarm struct {
	AlarmDescription   string      `yaml:"AlarmDescription"`
	Namespace          string      `yaml:"Namespace"`
	MetricName         string      `yaml:"MetricName"`
	Dimensions         []Dimension `yaml:"Dimensions"`
	Statistic          string      `yaml:"Statistic"`
	Period             int         `yaml:"Period"`
	EvaluationPeriods  int         `yaml:"EvaluationPeriods"`
	Threshold          float64     `yaml:"Threshold"`
	ComparisonOperator string      `yaml:"ComparisonOperator"`
	TreatMissingData   string      `yaml:"TreatMissingData"`
	AlarmActions       []string    `yaml:"AlarmActions,omitempty"`
	OKActions          []string    `yaml:"OKActions,omitempty"`
}

// Dimension is AWS::CloudWatch::Alarm.Dimension.
type Dimension struct {
	Name  string `yaml:"Name"`
	Value any    `yaml:"Value"`
}

// FileSystem is AWS::EFS::FileSystem.
type FileSystem struct {
	Encrypted      bool   `yaml:"Encrypted"`
	ThroughputMode string `yaml:"ThroughputMode,omitempty"`
	FileSystemTags []Tag  `yaml:"FileSystemTags,omitempty"`
}

// MountTarget is AWS::EFS::MountTarget.
type MountTarget struct {
	FileSystemId   any   `yaml:"FileSystemId"`
	SubnetId       any   `yaml:"SubnetId"`
	SecurityGroups []any `yaml:"SecurityGroups"`
}

// SSMParameter is AWS::SSM::Parameter.
type SSMParameter struct {
	Name        any    `yaml:"Name,omitempty"`
	Type        string `yaml:"Type"`
	Tier        string `yaml:"Tier,omitempty"`
	Description string `yaml:"Description,omitempty"`
	Value       string `yaml:"Value"`
}
