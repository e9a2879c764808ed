package cfn

import (
	"fmt"
	"net/netip"
	"strings"
)

// network sets b.vpc and b.subnets: the existing VPC and private subnets
// as parameters, or a new VPC.
func (b *builder) network() {
	a := b.cfg.AWS
	if a.NewVPC == nil {
		b.t.Parameters[idVPC] = Parameter{Type: "AWS::EC2::VPC::Id", Description: "The VPC the fleet runs in"}
		b.t.Parameters[idSubnets] = Parameter{Type: "List<AWS::EC2::Subnet::Id>",
			Description: "Private subnets of the VPC, in at least two Availability Zones, with a route to the internet through NAT"}
		b.params = append(b.params,
			ParameterValue{idVPC, a.VPCID},
			ParameterValue{idSubnets, strings.Join(a.SubnetIDs, ",")})
		b.vpc, b.subnets = Ref(idVPC), Ref(idSubnets)
		return
	}
	b.newVPC(a.NewVPC.CIDR)
}

// newVPC adds a VPC split in four equal blocks: two public subnets (the
// NAT gateway's and the internet gateway's) and two private ones for the
// fleet, in the region's first two Availability Zones, with one NAT
// gateway.
func (b *builder) newVPC(cidr string) {
	hostBits := 32 - 2 - 16
	if p, err := netip.ParsePrefix(cidr); err == nil {
		hostBits = 32 - 2 - p.Bits()
	}
	b.t.add("VPC", Resource{Type: "AWS::EC2::VPC", Properties: VPC{
		CidrBlock: cidr, EnableDnsHostnames: true, EnableDnsSupport: true, Tags: b.name("vpc"),
	}})
	b.vpc = Ref("VPC")
	b.t.add("InternetGateway", Resource{Type: "AWS::EC2::InternetGateway", Properties: InternetGateway{Tags: b.name("igw")}})
	b.t.add("InternetGatewayAttachment", Resource{Type: "AWS::EC2::VPCGatewayAttachment", Properties: VPCGatewayAttachment{
		VpcId: b.vpc, InternetGatewayId: Ref("InternetGateway"),
	}})
	b.t.add("PublicRouteTable", Resource{Type: "AWS::EC2::RouteTable", Properties: RouteTable{VpcId: b.vpc, Tags: b.name("public")}})
	b.t.add("PublicDefaultRoute", Resource{Type: "AWS::EC2::Route", DependsOn: []string{"InternetGatewayAttachment"}, Properties: Route{
		RouteTableId: Ref("PublicRouteTable"), DestinationCidrBlock: "0.0.0.0/0", GatewayId: Ref("InternetGateway"),
	}})
	b.t.add("PrivateRouteTable", Resource{Type: "AWS::EC2::RouteTable", Properties: RouteTable{VpcId: b.vpc, Tags: b.name("private")}})
	b.t.add("PrivateDefaultRoute", Resource{Type: "AWS::EC2::Route", Properties: Route{
		RouteTableId: Ref("PrivateRouteTable"), DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: Ref("NatGateway"),
	}})
	var private []any
	for i, kind := range []string{"Public", "Public", "Private", "Private"} {
		az := i % 2
		id := fmt.Sprintf("%sSubnet%d", kind, az+1)
		b.t.add(id, Resource{Type: "AWS::EC2::Subnet", Properties: Subnet{
			VpcId:               b.vpc,
			AvailabilityZone:    Select(az, GetAZs()),
			CidrBlock:           Select(i, Cidr(GetAtt("VPC", "CidrBlock"), 4, hostBits)),
			MapPublicIpOnLaunch: kind == "Public",
			Tags:                b.name(strings.ToLower(kind) + fmt.Sprint(az+1)),
		}})
		b.t.add(id+"Routes", Resource{Type: "AWS::EC2::SubnetRouteTableAssociation", Properties: SubnetRouteTableAssociation{
			RouteTableId: Ref(kind + "RouteTable"), SubnetId: Ref(id),
		}})
		if kind == "Private" {
			private = append(private, Ref(id))
		}
	}
	b.subnets = private
	b.t.add("NatAddress", Resource{Type: "AWS::EC2::EIP", DependsOn: []string{"InternetGatewayAttachment"}, Properties: EIP{Domain: "vpc", Tags: b.name("nat")}})
	b.t.add("NatGateway", Resource{Type: "AWS::EC2::NatGateway", Properties: NatGateway{
		AllocationId: GetAtt("NatAddress", "AllocationId"), SubnetId: Ref("PublicSubnet1"), Tags: b.name("nat"),
	}})
}

// name is a Name tag: the stack's name and what.
func (b *builder) name(what string) []Tag {
	return []Tag{{Key: "Name", Value: Sub("${AWS::StackName}-" + what)}}
}
