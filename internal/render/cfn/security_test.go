package cfn

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ethfleet/ethfleet/internal/clients"
)

// resources returns the template's resources of type typ, by logical id.
func resources(tpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tpl["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == typ {
			props, _ := r["Properties"].(map[string]any)
			out[id] = props
		}
	}
	return out
}

func templates(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, name := range examples {
		out[name] = decode(t, renderFiles(t, load(t, name))["template.yaml"])
	}
	return out
}

// publicPorts are the catalog's peer-to-peer ports, the only ones that
// may be open to the internet.
func publicPorts() map[string]bool {
	ports := map[string]bool{}
	for _, layer := range []clients.Layer{clients.Execution, clients.Consensus} {
		for _, name := range clients.Names(layer) {
			c, _ := clients.Lookup(layer, name)
			for _, p := range c.Ports {
				if p.Public {
					ports[fmt.Sprintf("%s/%d", p.Protocol, p.Number)] = true
				}
			}
		}
	}
	return ports
}

func TestLaunchTemplatesRequireIMDSv2(t *testing.T) {
	for name, tpl := range templates(t) {
		lts := resources(tpl, "AWS::EC2::LaunchTemplate")
		if len(lts) == 0 {
			t.Fatalf("%s: no launch template", name)
		}
		for id, lt := range lts {
			data := lt["LaunchTemplateData"].(map[string]any)
			md, _ := data["MetadataOptions"].(map[string]any)
			if md["HttpTokens"] != "required" || md["HttpPutResponseHopLimit"] != 2 {
				t.Errorf("%s: %s: metadata options %v, want IMDSv2 required with hop limit 2", name, id, md)
			}
			if data["KeyName"] != nil {
				t.Errorf("%s: %s has a key pair", name, id)
			}
		}
	}
}

// ingressRules returns every ingress rule, inline or a resource of its own,
// with the logical id of the group it opens.
func ingressRules(tpl map[string]any) map[string][]map[string]any {
	rules := map[string][]map[string]any{}
	for id, sg := range resources(tpl, "AWS::EC2::SecurityGroup") {
		list, _ := sg["SecurityGroupIngress"].([]any)
		for _, r := range list {
			rules[id] = append(rules[id], r.(map[string]any))
		}
	}
	for _, r := range resources(tpl, "AWS::EC2::SecurityGroupIngress") {
		group := r["GroupId"].(map[string]any)["Ref"].(string)
		rules[group] = append(rules[group], r)
	}
	return rules
}

// allowedSources say from which groups each group may be reached on ports
// that are not peer-to-peer.
var allowedSources = map[string][]string{
	idNodeSG:    {idAccessSG, idGatewaySG, idNodeSG},
	idGatewaySG: {idLoadBalSG},
	idLoadBalSG: {idAccessSG},
	idPoolSG:    {idPoolLBSG},
	idPoolLBSG:  {idAccessSG, idMinerSG},
	idDAGSG:     {idMinerSG},
}

func TestIngress(t *testing.T) {
	public := publicPorts()
	for name, tpl := range templates(t) {
		rules := ingressRules(tpl)
		if len(rules[idNodeSG]) == 0 {
			t.Fatalf("%s: the nodes' group has no rules", name)
		}
		for group, list := range rules {
			for _, r := range list {
				from, to := r["FromPort"].(int), r["ToPort"].(int)
				port := fmt.Sprintf("%s/%d", r["IpProtocol"], from)
				if from != to || r["IpProtocol"] == "-1" {
					t.Errorf("%s: %s opens a range: %v", name, group, r)
				}
				if from <= 22 && to >= 22 {
					t.Errorf("%s: %s opens port 22", name, group)
				}
				if r["CidrIpv6"] != nil {
					t.Errorf("%s: %s has an IPv6 CIDR rule: %v", name, group, r)
				}
				if cidr, ok := r["CidrIp"]; ok {
					if group != idNodeSG || cidr != "0.0.0.0/0" || !public[port] {
						t.Errorf("%s: %s opens %s to %v; only the nodes' peer-to-peer ports may be open to an address range", name, group, port, cidr)
					}
					continue
				}
				src, _ := r["SourceSecurityGroupId"].(map[string]any)
				if !slices.Contains(allowedSources[group], fmt.Sprint(src["Ref"])) {
					t.Errorf("%s: %s is reached on %s from %v; allowed: %v", name, group, port, src, allowedSources[group])
				}
			}
		}
		// RPC is open to the fleet's callers, the gateways and the other nodes.
		for _, from := range allowedSources[idNodeSG] {
			if !slices.ContainsFunc(rules[idNodeSG], func(r map[string]any) bool {
				src, _ := r["SourceSecurityGroupId"].(map[string]any)
				return r["FromPort"] == clients.RPCPort && src["Ref"] == from
			}) {
				t.Errorf("%s: the nodes' RPC is not open to %s", name, from)
			}
		}
	}
}

func TestNodeGroups(t *testing.T) {
	for name, tpl := range templates(t) {
		groups := resources(tpl, "AWS::AutoScaling::AutoScalingGroup")
		nodes := 0
		for id, g := range groups {
			if !strings.HasPrefix(id, "Node") {
				continue
			}
			nodes++
			if g["MinSize"] != "1" || g["MaxSize"] != "1" || g["DesiredCapacity"] != "1" {
				t.Errorf("%s: %s is not a group of one: %v/%v/%v", name, id, g["MinSize"], g["MaxSize"], g["DesiredCapacity"])
			}
			hooks, _ := g["LifecycleHookSpecificationList"].([]any)
			if len(hooks) != 1 {
				t.Errorf("%s: %s has %d lifecycle hooks, want 1", name, id, len(hooks))
				continue
			}
			h := hooks[0].(map[string]any)
			if h["LifecycleTransition"] != "autoscaling:EC2_INSTANCE_LAUNCHING" || h["DefaultResult"] != "ABANDON" || h["HeartbeatTimeout"] != hookTimeout {
				t.Errorf("%s: %s: hook %v", name, id, h)
			}
		}
		if want := len(load(t, name).DeployedNodes()); nodes != want {
			t.Errorf("%s: %d node groups, want %d", name, nodes, want)
		}
	}
}

// TestReferencesResolve: every Ref, Fn::GetAtt and ${NAME} of an Fn::Sub
// names a resource, a parameter or a pseudo parameter, so escaping
// mistakes show here rather than when the stack is created.
func TestReferencesResolve(t *testing.T) {
	subVar := regexp.MustCompile(`\$\{([^!}][^}]*)\}`)
	for name, tpl := range templates(t) {
		res := tpl["Resources"].(map[string]any)
		params, _ := tpl["Parameters"].(map[string]any)
		known := func(id string) bool {
			return res[id] != nil || params[id] != nil || strings.HasPrefix(id, "AWS::")
		}
		walk(tpl, func(m map[string]any) {
			if id, ok := m["Ref"].(string); ok && !known(id) {
				t.Errorf("%s: Ref to unknown %s", name, id)
			}
			if ga, ok := m["Fn::GetAtt"].([]any); ok && res[ga[0].(string)] == nil {
				t.Errorf("%s: Fn::GetAtt of unknown %v", name, ga[0])
			}
			if s, ok := m["Fn::Sub"].(string); ok {
				for _, v := range subVar.FindAllStringSubmatch(s, -1) {
					id, _, _ := strings.Cut(v[1], ".")
					if !known(id) {
						t.Errorf("%s: Fn::Sub names unknown ${%s}", name, v[1])
					}
				}
			}
		})
		for id, r := range res {
			deps, _ := r.(map[string]any)["DependsOn"].([]any)
			for _, d := range deps {
				if res[d.(string)] == nil {
					t.Errorf("%s: %s depends on unknown %v", name, id, d)
				}
			}
		}
	}
}

// TestPolicies: no action or resource wildcards beyond Describe calls,
// and the writes are scoped to this stack's zone, groups and parameters.
// Policies of their own and those inline in roles are checked alike.
func TestPolicies(t *testing.T) {
	for name, tpl := range templates(t) {
		for id, doc := range policyDocuments(tpl) {
			for _, s := range doc["Statement"].([]any) {
				s := s.(map[string]any)
				var actions []string
				for _, a := range s["Action"].([]any) {
					actions = append(actions, a.(string))
					if strings.Contains(a.(string), "*") {
						t.Errorf("%s: %s allows %s", name, id, a)
					}
				}
				for _, r := range s["Resource"].([]any) {
					if r == "*" && !allDescribe(actions) {
						t.Errorf("%s: %s allows %v on every resource", name, id, actions)
					}
					m, _ := r.(map[string]any)
					sub, _ := m["Fn::Sub"].(string)
					for _, a := range actions {
						if want := scopes[a]; want != "" && !strings.Contains(sub, want) {
							t.Errorf("%s: %s allows %s on %q, want it scoped to %s", name, id, a, sub, want)
						}
					}
				}
			}
		}
	}
}

// policyDocuments returns the template's policy documents by the logical
// id of the policy or role that holds them.
func policyDocuments(tpl map[string]any) map[string]map[string]any {
	docs := map[string]map[string]any{}
	for id, p := range resources(tpl, "AWS::IAM::Policy") {
		docs[id] = p["PolicyDocument"].(map[string]any)
	}
	for id, r := range resources(tpl, "AWS::IAM::Role") {
		inline, _ := r["Policies"].([]any)
		for _, p := range inline {
			docs[id] = p.(map[string]any)["PolicyDocument"].(map[string]any)
		}
	}
	return docs
}

var scopes = map[string]string{
	"route53:ChangeResourceRecordSets":           "hostedzone/${HostedZone}",
	"autoscaling:CompleteLifecycleAction":        "autoScalingGroupName/${AWS::StackName}-",
	"ssm:GetParameter":                           "parameter/${AWS::StackName}/",
	"autoscaling:RecordLifecycleActionHeartbeat": "autoScalingGroupName/${AWS::StackName}-",
	"autoscaling:SetDesiredCapacity":             "autoScalingGroupName/" + minerGroupName,
}

func allDescribe(actions []string) bool {
	return !slices.ContainsFunc(actions, func(a string) bool {
		_, call, _ := strings.Cut(a, ":")
		return !strings.HasPrefix(call, "Describe")
	})
}

// TestBootScriptsParse checks the boot scripts' bash syntax, with the
// values CloudFormation would substitute.
func TestBootScriptsParse(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	subVar := regexp.MustCompile(`\$\{([^!}][^}]*)\}`)
	for name, tpl := range templates(t) {
		scripts := map[string]string{}
		for id, lt := range resources(tpl, "AWS::EC2::LaunchTemplate") {
			ud := lt["LaunchTemplateData"].(map[string]any)["UserData"].(map[string]any)["Fn::Base64"].(map[string]any)["Fn::Sub"].(string)
			ud = subVar.ReplaceAllString(ud, "value")
			scripts[id] = strings.ReplaceAll(ud, "${!", "${")
		}
		for id, p := range resources(tpl, "AWS::SSM::Parameter") {
			scripts[id] = p["Value"].(string)
		}
		for id, script := range scripts {
			cmd := exec.Command(bash, "-n")
			cmd.Stdin = strings.NewReader(script)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: %s: bash -n: %v\n%s", name, id, err, out)
			}
		}
	}
}
