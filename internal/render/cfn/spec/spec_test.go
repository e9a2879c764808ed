package spec_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ethfleet/ethfleet/internal/render/cfn/spec"
	"github.com/ethfleet/ethfleet/internal/render/cfn/spec/spectest"
)

// valid uses a little of everything the checks look at; every bad case
// below is a small template with one kind of mistake.
const valid = `
AWSTemplateFormatVersion: "2010-09-09"
Description: a fleet's nodes behind a load balancer
Parameters:
  VpcId: {Type: "AWS::EC2::VPC::Id"}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
  ImageId: {Type: "AWS::EC2::Image::Id"}
  Fleet: {Type: String}
Mappings:
  Sizes:
    mainnet: {Disk: 2000}
Conditions:
  HasFleet: !Not [!Equals [!Ref Fleet, ""]]
  IsMainnet: {"Fn::And": [{Condition: HasFleet}, {"Fn::Equals": [!Ref Fleet, mainnet]}]}
Resources:
  GatewaySG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: gateway
      VpcId: !Ref VpcId
  NodeSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: nodes
      VpcId: {Ref: VpcId}
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 30303, ToPort: 30303, CidrIp: 0.0.0.0/0}
        - {IpProtocol: udp, FromPort: "30303", ToPort: "30303", CidrIp: 0.0.0.0/0}
        - IpProtocol: tcp
          FromPort: 8545
          ToPort: !If [IsMainnet, 8546, 8545]
          SourceSecurityGroupId: !GetAtt GatewaySG.GroupId
      Tags:
        - {Key: Name, Value: !Sub "${AWS::StackName}-nodes"}
        - {Key: Port, Value: 8545}
  NodeTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: !Ref ImageId
        InstanceType: m7g.xlarge
        EbsOptimized: "true"
        SecurityGroupIds: [!Ref NodeSG, !Ref "AWS::NoValue"]
        MetadataOptions: {HttpTokens: required, HttpEndpoint: enabled, HttpPutResponseHopLimit: 2}
        BlockDeviceMappings:
          - DeviceName: /dev/sdf
            Ebs: {VolumeSize: !FindInMap [Sizes, mainnet, Disk], VolumeType: gp3, Encrypted: true}
        UserData:
          Fn::Base64: !Sub
            - |
              #!/bin/bash
              ethfleet agent --region ${AWS::Region} --fleet ${Fleet} --disk ${Disk} --lb ${LB.DNSName} ${!NotAReference}
            - Disk: !FindInMap [Sizes, mainnet, Disk]
  NodeGroup:
    Type: AWS::AutoScaling::AutoScalingGroup
    DependsOn: [NodeSG, GatewaySG]
    Properties:
      MinSize: "1"
      MaxSize: 1
      VPCZoneIdentifier: !Ref Subnets
      AvailabilityZones: !GetAZs ""
      LaunchTemplate:
        LaunchTemplateId: !Ref NodeTemplate
        Version: !GetAtt NodeTemplate.LatestVersionNumber
      LifecycleHookSpecificationList:
        - LifecycleHookName: drain
          LifecycleTransition: autoscaling:EC2_INSTANCE_TERMINATING
          HeartbeatTimeout: 300
      Tags:
        - Key: fleet
          Value: !If [HasFleet, !Ref Fleet, !Ref "AWS::NoValue"]
          PropagateAtLaunch: true
  LB:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Condition: HasFleet
    Properties:
      Type: network
      Scheme: internal
      Subnets: !Split [",", !ImportValue shared-subnets]
      SecurityGroups: [!GetAtt GatewaySG.GroupId]
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole", Condition: {}}
  DB:
    Type: AWS::RDS::DBInstance
    Properties: {DBInstanceClass: db.t4g.micro, Engine: postgres}
  Seed:
    Type: Custom::Seed
    Properties: {ServiceToken: arn, Anything: [1, 2]}
Outputs:
  LoadBalancerDNS:
    Condition: HasFleet
    Value: !GetAtt LB.DNSName
    Export: {Name: !Sub "${AWS::StackName}-lb-dns"}
  GatewayURL:
    Value: {"Fn::Sub": "http://${LB.DNSName}:8545/${Fleet}/${AWS::Region}"}
  DBAddress:
    Value: {"Fn::GetAtt": [DB, Endpoint.Address]}
  SeedValue:
    Value: !GetAtt Seed.Whatever
`

func TestValidate(t *testing.T) {
	s := spectest.Spec(t)
	cases := []struct {
		name     string
		template string
		want     []string // nil: valid
	}{
		{name: "valid", template: valid},
		{
			name: "valid JSON",
			template: `{"Resources": {"SG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
				"GroupDescription": "nodes",
				"SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 1, "ToPort": "2"}]}}}}`,
		},
		{
			name:     "unknown resource type",
			template: "Resources: {SG: {Type: AWS::EC2::SecurityGrup}}",
			want:     []string{`Resources.SG.Type: unknown resource type "AWS::EC2::SecurityGrup"`},
		},
		{
			name: "unknown property",
			template: `
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: nodes
      Ingress: []
      SecurityGroupIngress: [{IpProtocol: tcp, Port: 1}]
  LT:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {MetadataOptions: {HttpToken: required}}`,
			want: []string{
				"Resources.LT.Properties.LaunchTemplateData.MetadataOptions.HttpToken: unknown property of AWS::EC2::LaunchTemplate.MetadataOptions",
				"Resources.SG.Properties.Ingress: unknown property of AWS::EC2::SecurityGroup",
				"Resources.SG.Properties.SecurityGroupIngress[0].Port: unknown property of AWS::EC2::SecurityGroup.Ingress",
			},
		},
		{
			name: "missing required property",
			template: `
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress: [{IpProtocol: tcp}, {CidrIp: 0.0.0.0/0}]
      Tags: [{Key: Name}]
  LT: {Type: AWS::EC2::LaunchTemplate}
  ASG:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: 0
      MaxSize: 1
      LifecycleHookSpecificationList: [{LifecycleHookName: drain}]`,
			want: []string{
				"Resources.ASG.Properties.LifecycleHookSpecificationList[0]: missing required property LifecycleTransition",
				"Resources.LT.Properties: missing required property LaunchTemplateData",
				"Resources.SG.Properties: missing required property GroupDescription",
				"Resources.SG.Properties.SecurityGroupIngress[1]: missing required property IpProtocol",
				"Resources.SG.Properties.Tags[0]: missing required property Value",
			},
		},
		{
			name: "wrong type",
			template: `
Resources:
  NodeSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: [nodes]
      VpcId: null
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 1.5}
        - {IpProtocol: tcp, FromPort: true}
        - {IpProtocol: tcp, FromPort: x}
      SecurityGroupEgress: {IpProtocol: tcp}
  LT:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        EbsOptimized: "yes"
        MetadataOptions: required
  Param:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: "1", Tags: {fleet: [a]}}
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: null}`,
			want: []string{
				`Resources.LT.Properties.LaunchTemplateData.EbsOptimized: want boolean, got string "yes"`,
				`Resources.LT.Properties.LaunchTemplateData.MetadataOptions: want AWS::EC2::LaunchTemplate.MetadataOptions, got string "required"`,
				`Resources.NodeSG.Properties.GroupDescription: want string, got list`,
				`Resources.NodeSG.Properties.SecurityGroupEgress: want list of AWS::EC2::SecurityGroup.Egress, got object`,
				`Resources.NodeSG.Properties.SecurityGroupIngress[0].FromPort: want integer, got number 1.5`,
				`Resources.NodeSG.Properties.SecurityGroupIngress[1].FromPort: want integer, got boolean true`,
				`Resources.NodeSG.Properties.SecurityGroupIngress[2].FromPort: want integer, got string "x"`,
				`Resources.NodeSG.Properties.VpcId: want string, got null`,
				`Resources.Param.Properties.Tags.fleet: want string, got list`,
				`Resources.Role.Properties.AssumeRolePolicyDocument: want JSON or string, got null`,
			},
		},
		{
			name: "wrong type from an intrinsic function",
			template: `
Parameters:
  Subnets: {Type: CommaDelimitedList}
Conditions:
  Always: !Equals [a, a]
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Ref Subnets
      VpcId: !Split [",", "a,b"]
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: !If [Always, 1, x]}
  LB:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref SG
      Name: !GetAtt LB.SecurityGroups
Outputs:
  Zones:
    Value: !GetAZs ""`,
			want: []string{
				"Outputs.Zones.Value: want string, got Fn::GetAZs (a list)",
				"Resources.LB.Properties.Name: want string, got Fn::GetAtt (a list)",
				"Resources.LB.Properties.Subnets: want list of string, got Ref (a scalar)",
				"Resources.SG.Properties.GroupDescription: want string, got Ref (a list)",
				`Resources.SG.Properties.SecurityGroupIngress[0].FromPort.Fn::If[2]: want integer, got string "x"`,
				"Resources.SG.Properties.VpcId: want string, got Fn::Split (a list)",
			},
		},
		{
			name: "unknown attribute",
			template: `
Resources:
  SG: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: !GetAtt SG.Name}}
  DB: {Type: AWS::RDS::DBInstance}
Outputs:
  Address: {Value: !GetAtt DB.Endpoint.Adress}`,
			want: []string{
				`Outputs.Address.Value.Fn::GetAtt: AWS::RDS::DBInstance has no attribute "Endpoint.Adress"`,
				`Resources.SG.Properties.GroupDescription.Fn::GetAtt: AWS::EC2::SecurityGroup has no attribute "Name"`,
			},
		},
		{
			name: "unknown reference",
			template: `
Parameters:
  Fleet: {Type: String}
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Ref Fleeet
      VpcId: {"Fn::GetAtt": [Vpc, VpcId]}
      Tags: [{Key: region, Value: !Ref "AWS::Regio"}]
Outputs:
  Fleet: {Value: !GetAtt Fleet.Name}
  Group: {Value: !Ref Group}`,
			want: []string{
				`Outputs.Fleet.Value.Fn::GetAtt: "Fleet" is not a resource`,
				`Outputs.Group.Value.Ref: "Group" is not a parameter, resource or pseudo parameter`,
				`Resources.SG.Properties.GroupDescription.Ref: "Fleeet" is not a parameter, resource or pseudo parameter`,
				`Resources.SG.Properties.Tags[0].Value.Ref: "AWS::Regio" is not a parameter, resource or pseudo parameter`,
				`Resources.SG.Properties.VpcId.Fn::GetAtt: "Vpc" is not a resource`,
			},
		},
		{
			name: "unknown reference in Fn::Sub",
			template: `
Parameters:
  Fleet: {Type: String}
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub "${Fleet} ${Fleeet} ${SG.GroupId} ${SG.Nope} ${LB.DNSName} ${AWS::Regio} ${!Literal}"
      VpcId: !Sub ["${Var}-${Other}", {Var: !Ref Flet}]
Outputs:
  URL: {Value: {"Fn::Sub": "https://${Gateway.DNSName}"}}`,
			want: []string{
				`Outputs.URL.Value.Fn::Sub: ${Gateway.DNSName}: "Gateway" is not a resource`,
				`Resources.SG.Properties.GroupDescription.Fn::Sub: ${AWS::Regio}: "AWS::Regio" is not a parameter, resource or pseudo parameter`,
				`Resources.SG.Properties.GroupDescription.Fn::Sub: ${Fleeet}: "Fleeet" is not a parameter, resource or pseudo parameter`,
				`Resources.SG.Properties.GroupDescription.Fn::Sub: ${LB.DNSName}: "LB" is not a resource`,
				`Resources.SG.Properties.GroupDescription.Fn::Sub: ${SG.Nope}: AWS::EC2::SecurityGroup has no attribute "Nope"`,
				`Resources.SG.Properties.VpcId.Fn::Sub: ${Other}: "Other" is not a parameter, resource or pseudo parameter`,
				`Resources.SG.Properties.VpcId.Fn::Sub[1].Var.Ref: "Flet" is not a parameter, resource or pseudo parameter`,
			},
		},
		{
			name: "unknown DependsOn, Condition and mapping",
			template: `
Conditions:
  HasFleet: !Equals [a, b]
  Both: !And [!Condition HasFleet, {Condition: HasFleeet}]
Resources:
  A: {Type: AWS::EC2::VPC, DependsOn: B, Condition: HasFleeet}
  B: {Type: AWS::EC2::VPC, DependsOn: [A, D]}
  C:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !If [Nope, 10.0.0.0/16, !FindInMap [Cidrs, a, b]]
Outputs:
  X: {Value: x, Condition: Nope}`,
			want: []string{
				`Conditions.Both.Fn::And[1].Condition: unknown condition "HasFleeet"`,
				`Outputs.X.Condition: unknown condition "Nope"`,
				`Resources.A.Condition: unknown condition "HasFleeet"`,
				`Resources.B.DependsOn[1]: unknown resource "D"`,
				`Resources.C.Properties.CidrBlock.Fn::If[0]: unknown condition "Nope"`,
				`Resources.C.Properties.CidrBlock.Fn::If[2].Fn::FindInMap[0]: unknown mapping "Cidrs"`,
			},
		},
		{
			name: "unknown section, keys and functions",
			template: `
AWSTemplateFormatVersion: "2010-09-10"
Resource: {}
Resources:
  V:
    Type: AWS::EC2::VPC
    Propertes: {}
    Properties:
      CidrBlock: {"Fn::Concat": [a, b]}
      EnableDnsSupport: !Equals [a, b]
Outputs:
  X: {Description: x, Export: {Name: [x]}}`,
			want: []string{
				`AWSTemplateFormatVersion: want "2010-09-09", got string "2010-09-10"`,
				"Outputs.X: missing Value",
				"Outputs.X.Export.Name: want string, got list",
				"Resource: unknown template section",
				"Resources.V.Propertes: unknown resource key (want one of Type, Properties, DependsOn, Condition, Metadata, DeletionPolicy, UpdateReplacePolicy, CreationPolicy, UpdatePolicy)",
				"Resources.V.Properties.CidrBlock.Fn::Concat: unknown intrinsic function",
				"Resources.V.Properties.EnableDnsSupport.Fn::Equals: only allowed in Conditions",
			},
		},
		{
			name:     "no resources",
			template: "Description: empty\n",
			want:     []string{"Resources: missing"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.Validate([]byte(c.template))
			var problems spec.Problems
			if err != nil && !errors.As(err, &problems) {
				t.Fatalf("Validate: %v", err)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestValidateUnparsable(t *testing.T) {
	s := spectest.Spec(t)
	for _, template := range []string{"Resources: [", "{\"Resources\": {}", "- a list\n", "a: 1\na: 2\n"} {
		err := s.Validate([]byte(template))
		var problems spec.Problems
		if err == nil || errors.As(err, &problems) {
			t.Errorf("Validate(%q) = %v, want a parse error", template, err)
		}
	}
}

func TestLoadTruncated(t *testing.T) {
	path, err := spec.Find()
	if err != nil {
		t.Skip(spectest.Skipped)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "db.json.gz")
	if err := os.WriteFile(cut, data[:len(data)/10], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = spec.Load(cut)
	if err == nil || !strings.Contains(err.Error(), "file cut short") {
		t.Errorf("Load of a truncated file: %v, want an error saying it is cut short", err)
	}
}

func TestFindFromEnv(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "db.json.gz")
	t.Setenv(spec.EnvPath, missing)
	if _, err := spec.Find(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Find with $%s=%s: %v, want not exist", spec.EnvPath, missing, err)
	}
	if err := os.WriteFile(missing, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := spec.Find(); got != missing || err != nil {
		t.Errorf("Find = %q, %v; want %q", got, err, missing)
	}
	if _, err := spec.Load(missing); err == nil {
		t.Error("Load of an empty file: no error")
	}
}
