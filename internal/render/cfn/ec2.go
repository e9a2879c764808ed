package cfn

// Property types of the AWS::EC2 resources the template uses. Field names
// are CloudFormation's; a field of type any holds a literal or an
// intrinsic function.

// VPC is AWS::EC2::VPC.
type VPC struct {
	CidrBlock          string `yaml:"CidrBlock"`
	EnableDnsHostnames bool   `yaml:"EnableDnsHostnames,omitempty"`
	EnableDnsSupport   bool   `yaml:"EnableDnsSupport,omitempty"`
	Tags               []Tag  `yaml:"Tags,omitempty"`
}

// Subnet is AWS::EC2::Subnet.
type Subnet struct {
	VpcId               any   `yaml:"VpcId"`
	AvailabilityZone    any   `yaml:"AvailabilityZone,omitempty"`
	CidrBlock           any   `yaml:"CidrBlock,omitempty"`
	MapPublicIpOnLaunch bool  `yaml:"MapPublicIpOnLaunch,omitempty"`
	Tags                []Tag `yaml:"Tags,omitempty"`
}

// InternetGateway is AWS::EC2::InternetGateway.
type InternetGateway struct {
	Tags []Tag `yaml:"Tags,omitempty"`
}

// VPCGatewayAttachment is AWS::EC2::VPCGatewayAttachment.
type VPCGatewayAttachment struct {
	VpcId             any `yaml:"VpcId"`
	InternetGatewayId any `yaml:"InternetGatewayId,omitempty"`
}

// EIP is AWS::EC2::EIP.
type EIP struct {
	Domain string `yaml:"Domain,omitempty"`
	Tags   []Tag  `yaml:"Tags,omitempty"`
}

// NatGateway is AWS::EC2::NatGateway.
type NatGateway struct {
	AllocationId any   `yaml:"AllocationId,omitempty"`
	SubnetId     any   `yaml:"SubnetId,omitempty"`
	Tags         []Tag `yaml:"Tags,omitempty"`
}

// RouteTable is AWS::EC2::RouteTable.
type RouteTable struct {
	VpcId any   `yaml:"VpcId"`
	Tags  []Tag `yaml:"Tags,omitempty"`
}

// Route is AWS::EC2::Route.
type Route struct {
	RouteTableId         any    `yaml:"RouteTableId"`
	DestinationCidrBlock string `yaml:"DestinationCidrBlock,omitempty"`
	GatewayId            any    `yaml:"GatewayId,omitempty"`
	NatGatewayId         any    `yaml:"NatGatewayId,omitempty"`
}

// SubnetRouteTableAssociation is AWS::EC2::SubnetRouteTableAssociation.
type SubnetRouteTableAssociation struct {
	RouteTableId any `yaml:"RouteTableId"`
	SubnetId     any `yaml:"SubnetId"`
}

// SecurityGroup is AWS::EC2::SecurityGroup.
type SecurityGroup struct {
	GroupDescription     string    `yaml:"GroupDescription"`
	VpcId                any       `yaml:"VpcId,omitempty"`
	SecurityGroupIngress []Ingress `yaml:"SecurityGroupIngress,omitempty"`
	Tags                 []Tag     `yaml:"Tags,omitempty"`
}

// Ingress is a security group's ingress rule, inline
// (AWS::EC2::SecurityGroup.Ingress) or on its own
// (AWS::EC2::SecurityGroupIngress, with GroupId).
type Ingress struct {
	GroupId               any    `yaml:"GroupId,omitempty"`
	IpProtocol            string `yaml:"IpProtocol"`
	FromPort              int    `yaml:"FromPort"`
	ToPort                int    `yaml:"ToPort"`
	CidrIp                string `yaml:"CidrIp,omitempty"`
	SourceSecurityGroupId any    `yaml:"SourceSecurityGroupId,omitempty"`
	Description           string `yaml:"Description,omitempty"`
}

// LaunchTemplate is AWS::EC2::LaunchTemplate.
type LaunchTemplate struct {
	LaunchTemplateData LaunchTemplateData `yaml:"LaunchTemplateData"`
}

// LaunchTemplateData is AWS::EC2::LaunchTemplate.LaunchTemplateData.
type LaunchTemplateData struct {
	ImageId             any                  `yaml:"ImageId"`
	InstanceType        string               `yaml:"InstanceType,omitempty"`
	IamInstanceProfile  IamInstanceProfile   `yaml:"IamInstanceProfile"`
	SecurityGroupIds    []any                `yaml:"SecurityGroupIds"`
	MetadataOptions     MetadataOptions      `yaml:"MetadataOptions"`
	BlockDeviceMappings []BlockDeviceMapping `yaml:"BlockDeviceMappings,omitempty"`
	TagSpecifications   []TagSpecification   `yaml:"TagSpecifications,omitempty"`
	UserData            any                  `yaml:"UserData"`
}

// IamInstanceProfile is AWS::EC2::LaunchTemplate.IamInstanceProfile.
type IamInstanceProfile struct {
	Arn any `yaml:"Arn"`
}

// MetadataOptions is AWS::EC2::LaunchTemplate.MetadataOptions.
type MetadataOptions struct {
	HttpEndpoint            string `yaml:"HttpEndpoint"`
	HttpTokens              string `yaml:"HttpTokens"`
	HttpPutResponseHopLimit int    `yaml:"HttpPutResponseHopLimit"`
}

// BlockDeviceMapping is AWS::EC2::LaunchTemplate.BlockDeviceMapping.
type BlockDeviceMapping struct {
	DeviceName string `yaml:"DeviceName"`
	Ebs        Ebs    `yaml:"Ebs"`
}

// Ebs is AWS::EC2::LaunchTemplate.Ebs.
type Ebs struct {
	VolumeType          string `yaml:"VolumeType"`
	VolumeSize          int    `yaml:"VolumeSize"`
	Iops                int    `yaml:"Iops,omitempty"`
	Throughput          int    `yaml:"Throughput,omitempty"`
	Encrypted           bool   `yaml:"Encrypted"`
	DeleteOnTermination bool   `yaml:"DeleteOnTermination"`
}

// TagSpecification is AWS::EC2::LaunchTemplate.TagSpecification.
type TagSpecification struct {
	ResourceType string `yaml:"ResourceType"`
	Tags         []Tag  `yaml:"Tags"`
}
