package cfn

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// AMIParameter is the public SSM parameter naming the latest Amazon Linux
// 2023 AMI, the hosts' image.
const AMIParameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"

// Logical ids the template's parts refer to each other by.
const (
	idAMI          = "AmiId"
	idVPC          = "VpcId"
	idSubnets      = "SubnetIds"
	idAccessSG     = "AccessSecurityGroup"
	idNodeSG       = "NodeSecurityGroup"
	idGatewaySG    = "GatewaySecurityGroup"
	idLoadBalSG    = "LoadBalancerSecurityGroup"
	idLogGroup     = "LogGroup"
	idZone         = "HostedZone"
	idLoadBalancer = "LoadBalancer"
	idTargetGroup  = "GatewayTargetGroup"
)

// Render renders cfg as template.yaml and parameters.json. cfg must have
// passed cfg.CheckTarget(config.TargetAWS).
func Render(cfg *config.Config) ([]render.File, error) {
	t, params, err := Build(cfg)
	if err != nil {
		return nil, err
	}
	body, err := t.Marshal()
	if err != nil {
		return nil, err
	}
	pj, err := json.MarshalIndent(params, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("cfn: %w", err)
	}
	return []render.File{
		{Path: "template.yaml", Data: body},
		{Path: "parameters.json", Data: append(pj, '\n')},
	}, nil
}

// ParameterValue is one entry of parameters.json, as `aws cloudformation
// create-stack --parameters file://parameters.json` and CreateChangeSet
// take them.
type ParameterValue struct {
	ParameterKey   string `json:"ParameterKey"`
	ParameterValue string `json:"ParameterValue"`
}

// builder holds what the parts of the template share while it is built.
type builder struct {
	cfg    *config.Config
	t      *Template
	params []ParameterValue
	// vpc is the VPC's id and subnets the private subnets' ids (a list),
	// as template values.
	vpc, subnets any
	// nodes are the deployed nodes with their logical ids.
	nodes []deployedNode
	// nodeSecrets, gatewaySecrets and poolSecrets name the secrets the
	// agents, the gateways and the mining pool read from SSM Parameter
	// Store.
	nodeSecrets, gatewaySecrets, poolSecrets []string
}

type deployedNode struct {
	id   string // logical id part, such as GethA
	node config.Node
}

// Build returns the template for cfg and its parameters' values.
func Build(cfg *config.Config) (*Template, []ParameterValue, error) {
	b := &builder{cfg: cfg, t: &Template{
		AWSTemplateFormatVersion: "2010-09-09",
		Resources:                map[string]Resource{},
		Parameters:               map[string]Parameter{},
		Outputs:                  map[string]Output{},
	}}
	seen := map[string]string{}
	for _, n := range cfg.DeployedNodes() {
		id := logicalID(n.Name)
		if other, taken := seen[id]; taken {
			return nil, nil, fmt.Errorf("cfn: nodes %q and %q would share the logical id %s: rename one", other, n.Name, id)
		}
		seen[id] = n.Name
		b.nodes = append(b.nodes, deployedNode{id: id, node: n})
	}
	b.t.Parameters[idAMI] = Parameter{
		Type:        "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
		Description: "The hosts' AMI: the latest Amazon Linux 2023",
		Default:     AMIParameter,
	}
	b.params = append(b.params, ParameterValue{idAMI, AMIParameter})
	b.network()
	b.securityGroups()
	b.logsAndZone()
	if err := b.addNodes(); err != nil {
		return nil, nil, err
	}
	if err := b.addGateways(); err != nil {
		return nil, nil, err
	}
	b.roles()
	b.ebsSnapshots()
	if err := b.addMining(); err != nil {
		return nil, nil, err
	}
	b.monitoring()
	b.outputs()
	b.describe()
	return b.t, b.params, nil
}

// logicalID turns a node name into the CamelCase part of its resources'
// logical ids: geth-a becomes GethA.
func logicalID(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(render.Name(name), "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// nodeHost is the Route53 name a node's agent keeps for it.
func (b *builder) nodeHost(n config.Node) string {
	return render.Name(n.Name) + "." + b.cfg.AWS.HostedZone
}

// atRoute53 locates every node at its Route53 name.
func (b *builder) atRoute53(n config.Node) render.NodeURLs {
	h := b.nodeHost(n)
	return render.Locate(n, h, h)
}

// outputs exports what the fleet's clients and the deploy command use.
func (b *builder) outputs() {
	scheme := "http"
	if b.cfg.AWS.CertificateARN != "" {
		scheme = "https"
	}
	out := b.output
	out("AccessSecurityGroup", "Instances in this security group may call the gateways' and nodes' RPC", Ref(idAccessSG))
	out("RPCEndpoint", "The fleet's JSON-RPC endpoint inside the VPC", scheme+"://rpc."+b.cfg.AWS.HostedZone)
	out("LoadBalancerDNS", "The gateways' internal load balancer", GetAtt(idLoadBalancer, "DNSName"))
	out("HostedZoneId", "The private hosted zone naming the nodes", Ref(idZone))
	out("LogGroup", "The hosts' container logs", Ref(idLogGroup))
}

// output adds an output, exported as STACK-ID.
func (b *builder) output(id, description string, value any) {
	b.t.Outputs[id] = Output{Description: description, Value: value, Export: &Export{Name: Sub("${AWS::StackName}-" + id)}}
}

// describe writes the template's description and the metadata telling
// the operator which secrets to put in SSM Parameter Store.
func (b *builder) describe() {
	a := b.cfg.AWS
	mining := "not deployed: set mining.deploy to run the mining cluster"
	if render.Mining(b.cfg) {
		mining = fmt.Sprintf("deployed: outputs PoolEndpoint and MinersGroup (up to %d miners)", *b.cfg.Mining.Autoscale.MaxMiners)
	}
	b.t.Description = fmt.Sprintf("ethfleet %s fleet: %d nodes, %d gateways behind rpc.%s. Before creating the stack, "+
		"put each secret listed in Metadata.ethfleet.Secrets in SSM Parameter Store as a SecureString named /%s/gateway/NAME.",
		b.cfg.Network.Name, len(b.nodes), b.cfg.Gateway.Replicas, a.HostedZone, a.StackName)
	secrets := map[string]string{}
	for _, name := range b.allSecrets() {
		secrets[name] = fmt.Sprintf("aws ssm put-parameter --region %s --type SecureString --name /%s/gateway/%s --value ...", a.Region, a.StackName, name)
	}
	b.t.Metadata = map[string]any{"ethfleet": map[string]any{
		"Secrets": secrets,
		"Mining":  mining,
	}}
}

// allSecrets names every secret the hosts read.
func (b *builder) allSecrets() []string {
	return union(b.nodeSecrets, b.gatewaySecrets, b.poolSecrets)
}
