package config

import (
	"strings"
	"testing"
)

// TestCheckTarget covers what keeps a valid description from one target:
// each case edits a deployable fleet and expects these problems.
func TestCheckTarget(t *testing.T) {
	base := `network: {name: hoodi}
nodes:
  - name: a
    execution: {client: geth}
    consensus: {client: lighthouse}
gateway:
  listen: 0.0.0.0:8545
  apiKeys: [{name: backend, key: "${KEY}"}]
aws:
  region: eu-west-1
  vpcId: vpc-0a1b2c3d4e5f67890
  subnetIds: [subnet-0a1b2c3d4e5f67891, subnet-0a1b2c3d4e5f67892]
`
	tests := []struct {
		name   string
		target string
		edit   func(string) string
		want   []string // problems, in order; none means it passes
	}{
		{"aws passes", TargetAWS, nil, nil},
		{"k8s passes", TargetKubernetes, nil, nil},
		{"compose passes", TargetCompose, nil, nil},
		{"missing VPC id", TargetAWS, func(s string) string {
			return strings.Replace(s, "  vpcId: vpc-0a1b2c3d4e5f67890\n", "", 1)
		}, []string{"test.yaml:9: aws.vpcId: is required: the VPC to deploy into (vpc-…), or aws.newVpc to create one"}},
		{"bad ids and region", TargetAWS, func(s string) string {
			return strings.NewReplacer("eu-west-1", "europe", "vpc-0a1b2c3d4e5f67890", "vpc-xyz", "subnet-0a1b2c3d4e5f67892", "sub").Replace(s)
		}, []string{
			`test.yaml:10: aws.region: "europe" is not an AWS region such as eu-west-1`,
			`test.yaml:11: aws.vpcId: "vpc-xyz" is not a VPC id such as vpc-0a1b2c3d4e5f67890`,
		}},
		{"bad template bucket", TargetAWS, func(s string) string { return s + "  templateBucket: s3://Fleet\n" },
			[]string{`test.yaml:13: aws.templateBucket: "s3://Fleet" is not an S3 bucket name: 3 to 63 lowercase letters, digits, dots and dashes`}},
		{"one subnet", TargetAWS, func(s string) string {
			return strings.Replace(s, ", subnet-0a1b2c3d4e5f67892", "", 1)
		}, []string{"test.yaml:12: aws.subnetIds: needs at least two private subnets of aws.vpcId, in different Availability Zones, for the load balancer"}},
		{"new VPC and an id", TargetAWS, func(s string) string { return s + "  newVpc: {cidr: 10.0.0.0/8}\n" },
			[]string{
				"test.yaml:13: aws.newVpc: and aws.vpcId exclude each other: create a VPC or name one",
			}},
		{"keys written in the file", TargetKubernetes, func(s string) string {
			return strings.Replace(s, `"${KEY}"`, "0123456789abcdef0123", 1)
		}, []string{"test.yaml:8: gateway.apiKeys[0].key: is written in the file; give it as ${NAME} so that rendered files carry only the name"}},
		{"no keys on a cluster", TargetKubernetes, func(s string) string {
			return strings.NewReplacer(`  apiKeys: [{name: backend, key: "${KEY}"}]`+"\n", "", "0.0.0.0:8545", "127.0.0.1:8545").Replace(s)
		}, []string{"test.yaml:6: gateway.apiKeys: a deployed gateway is reachable from other hosts: list at least one key"}},
		{"EBS on Kubernetes", TargetKubernetes, func(s string) string {
			return strings.Replace(s, "{client: lighthouse}", "{client: lighthouse}\n    snapshot: {source: ebs}", 1)
		}, []string{"test.yaml:6: nodes[0].snapshot.source: ebs is not offered on k8s; use one of store, volumeSnapshot, none"}},
		{"a node that is not deployed", TargetCompose, func(s string) string {
			return strings.Replace(s, "nodes:\n", "nodes:\n  - name: old\n    rpc: http://10.0.0.1:8545\n", 1)
		}, []string{"test.yaml:3: nodes[0].execution: is required to deploy old: name its execution client (geth, reth, nethermind, erigon or besu)"}},
		{"compose published beyond loopback without keys", TargetCompose, func(s string) string {
			return strings.NewReplacer(`  apiKeys: [{name: backend, key: "${KEY}"}]`+"\n", "", "0.0.0.0:8545", "127.0.0.1:8545").Replace(s) + "compose: {publish: 0.0.0.0}\n"
		}, []string{"test.yaml:12: compose.publish: 0.0.0.0 is reachable beyond this host, so gateway.apiKeys must list at least one key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := base
			if tt.edit != nil {
				doc = tt.edit(doc)
			}
			cfg, err := Parse("test.yaml", []byte(doc), func(string) (string, bool) { return "0123456789abcdef0123", true })
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, doc)
			}
			err = cfg.CheckTarget(tt.target)
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestDeployExamplesRenderable keeps every example that deploys nodes
// checkable against the targets it names.
func TestDeployExamplesRenderable(t *testing.T) {
	for file, targets := range map[string][]string{
		"mainnet.yaml": {TargetAWS},
		"hoodi.yaml":   {TargetKubernetes, TargetCompose},
		"classic.yaml": {TargetAWS, TargetCompose},
	} {
		cfg, err := LoadUnresolved("../../examples/" + file)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range targets {
			if err := cfg.CheckTarget(target); err != nil {
				t.Errorf("%s on %s: %v", file, target, err)
			}
		}
	}
}
