package cfn

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
	"github.com/ethfleet/ethfleet/internal/stack"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var examples = []string{"mainnet", "classic", "classic-mining"}

// load reads an example the way `ethfleet render` does, and checks it can
// be deployed to AWS.
func load(t *testing.T, name string) *config.Config {
	t.Helper()
	cfg, err := config.LoadUnresolved(filepath.Join("..", "..", "..", "examples", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckTarget(config.TargetAWS); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func renderFiles(t *testing.T, cfg *config.Config) map[string][]byte {
	t.Helper()
	files, err := Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for _, f := range files {
		got[f.Path] = f.Data
	}
	if len(got) != 2 || got["template.yaml"] == nil || got["parameters.json"] == nil {
		t.Fatalf("rendered %d files, want template.yaml and parameters.json", len(files))
	}
	return got
}

// decode reads a rendered template as plain maps and lists.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var tpl map[string]any
	if err := yaml.Unmarshal(body, &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestGolden(t *testing.T) {
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			got := renderFiles(t, load(t, name))
			for path, data := range got {
				golden := filepath.Join("testdata", name, path)
				if *update {
					if err := render.Write(filepath.Dir(golden), []render.File{{Path: path, Data: data}}); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/render/cfn -update)", err)
				}
				if !bytes.Equal(data, want) {
					t.Errorf("%s differs from %s; if the change is meant, run go test ./internal/render/cfn -update", path, golden)
				}
			}
		})
	}
}

// TestRenderIsStable: the same description renders the same bytes.
func TestRenderIsStable(t *testing.T) {
	cfg := load(t, "mainnet")
	a, b := renderFiles(t, cfg), renderFiles(t, cfg)
	for path := range a {
		if !bytes.Equal(a[path], b[path]) {
			t.Errorf("%s differs between two renders", path)
		}
	}
}

// TestTemplateSize: CreateChangeSet takes a TemplateBody of at most 51,200
// bytes; deploy sends a larger template as compact JSON, which needs the
// long forms of the intrinsic functions, or through S3. The examples fit
// in a request.
func TestTemplateSize(t *testing.T) {
	for _, name := range examples {
		got := renderFiles(t, load(t, name))
		compact, err := stack.CompactJSON(string(got["template.yaml"]))
		if err != nil {
			t.Errorf("the %s template cannot be sent as compact JSON: %v", name, err)
			continue
		}
		if n := min(len(got["template.yaml"]), len(compact)); n > stack.MaxTemplateBody {
			t.Errorf("the %s template is %d bytes at its most compact, over CloudFormation's TemplateBody limit of %d", name, n, stack.MaxTemplateBody)
		}
	}
}

func TestParameters(t *testing.T) {
	for _, tc := range []struct {
		example string
		want    map[string]string
	}{
		{"mainnet", map[string]string{
			"AmiId": AMIParameter, "VpcId": "vpc-0a1b2c3d4e5f67890",
			"SubnetIds": "subnet-0a1b2c3d4e5f67891,subnet-0a1b2c3d4e5f67892",
		}},
		{"classic", map[string]string{"AmiId": AMIParameter}},
		{"classic-mining", map[string]string{"AmiId": AMIParameter, "MinersOnDemandBase": "0"}},
	} {
		got := renderFiles(t, load(t, tc.example))
		var params []ParameterValue
		if err := json.Unmarshal(got["parameters.json"], &params); err != nil {
			t.Fatal(err)
		}
		tpl := decode(t, got["template.yaml"])
		declared := tpl["Parameters"].(map[string]any)
		if len(params) != len(tc.want) || len(declared) != len(tc.want) {
			t.Errorf("%s: parameters.json has %v, the template declares %d, want %v", tc.example, params, len(declared), tc.want)
		}
		for _, p := range params {
			if tc.want[p.ParameterKey] != p.ParameterValue {
				t.Errorf("%s: %s = %q, want %q", tc.example, p.ParameterKey, p.ParameterValue, tc.want[p.ParameterKey])
			}
			if declared[p.ParameterKey] == nil {
				t.Errorf("%s: parameters.json gives %s, which the template does not declare", tc.example, p.ParameterKey)
			}
		}
	}
}

// TestNoSecretValues loads the description with every secret resolved to
// a recognisable value: none may reach the rendered files, and the
// references must reach the hosts escaped for Fn::Sub.
func TestNoSecretValues(t *testing.T) {
	const marker = "RESOLVED-SECRET-VALUE"
	path := filepath.Join("..", "..", "..", "examples", "mainnet.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(path, data, func(name string) (string, bool) { return marker + "-" + name, true })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckTarget(config.TargetAWS); err != nil {
		t.Fatal(err)
	}
	got := renderFiles(t, cfg)
	for path, data := range got {
		if bytes.Contains(data, []byte(marker)) {
			t.Errorf("%s carries a secret's value", path)
		}
	}
	subs := subStrings(decode(t, got["template.yaml"]))
	for _, want := range []string{"${!BACKEND_API_KEY}", "${!INFURA_KEY}"} {
		if !slicesContainsSubstring(subs, want) {
			t.Errorf("no Fn::Sub string carries %s", want)
		}
	}
	for _, s := range subs {
		for _, bare := range []string{"${BACKEND_API_KEY}", "${INFURA_KEY}"} {
			if strings.Contains(s, bare) {
				t.Errorf("an Fn::Sub string carries %s, which CloudFormation would try to substitute", bare)
			}
		}
	}
}

func slicesContainsSubstring(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// walk calls f on every map in v, depth first.
func walk(v any, f func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		f(v)
		for _, x := range v {
			walk(x, f)
		}
	case []any:
		for _, x := range v {
			walk(x, f)
		}
	}
}

// subStrings returns the strings of every Fn::Sub in tpl.
func subStrings(tpl map[string]any) []string {
	var subs []string
	walk(tpl, func(m map[string]any) {
		if s, ok := m["Fn::Sub"].(string); ok {
			subs = append(subs, s)
		}
	})
	return subs
}

func TestInstanceType(t *testing.T) {
	for _, tc := range []struct {
		override  string
		cpu, mem  int
		want      string
		wantError bool
	}{
		{cpu: 2, mem: 8, want: "m7i.large"},
		{cpu: 2, mem: 16, want: "r7i.large"},
		{cpu: 4, mem: 16, want: "m7i.xlarge"},
		{cpu: 4, mem: 32, want: "r7i.xlarge"},
		{cpu: 8, mem: 32, want: "m7i.2xlarge"},
		{cpu: 8, mem: 33, want: "r7i.2xlarge"},
		{cpu: 1, mem: 64, want: "r7i.2xlarge"},
		{cpu: 16, mem: 64, want: "m7i.4xlarge"},
		{cpu: 40, mem: 100, want: "m7i.12xlarge"},
		{cpu: 64, mem: 512, want: "r7i.16xlarge"},
		{cpu: 65, mem: 8, wantError: true},
		{cpu: 8, mem: 600, wantError: true},
		{override: "i4i.2xlarge", cpu: 8, mem: 600, want: "i4i.2xlarge"},
	} {
		got, err := InstanceType(tc.override, config.Resources{CPU: tc.cpu, MemoryGiB: tc.mem})
		if (err != nil) != tc.wantError || got != tc.want {
			t.Errorf("InstanceType(%q, %d vCPU, %d GiB) = %q, %v; want %q (error: %v)", tc.override, tc.cpu, tc.mem, got, err, tc.want, tc.wantError)
		}
	}
}

// TestIntrinsics: functions marshal in long form.
func TestIntrinsics(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{Ref("VPC"), "Ref: VPC\n"},
		{GetAtt("LB", "DNSName"), "Fn::GetAtt:\n  - LB\n  - DNSName\n"},
		{Sub("${AWS::StackName}-x"), "Fn::Sub: ${AWS::StackName}-x\n"},
		{Join(",", "a", Ref("B")), "Fn::Join:\n  - ','\n  - - a\n    - Ref: B\n"},
		{Select(1, GetAZs()), "Fn::Select:\n  - 1\n  - Fn::GetAZs: \"\"\n"},
		{If("HasCert", 443, 80), "Fn::If:\n  - HasCert\n  - 443\n  - 80\n"},
		{Base64("x"), "Fn::Base64: x\n"},
		{Cidr("10.0.0.0/16", 4, 14), "Fn::Cidr:\n  - 10.0.0.0/16\n  - 4\n  - 14\n"},
	} {
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(tc.v); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
		}
	}
}

func TestLogicalIDs(t *testing.T) {
	for name, want := range map[string]string{"geth-a": "GethA", "nethermind-c": "NethermindC", "Besu_2": "Besu2", "reth": "Reth"} {
		if got := logicalID(name); got != want {
			t.Errorf("logicalID(%q) = %q, want %q", name, got, want)
		}
	}
	cfg := load(t, "classic")
	cfg.Nodes[1].Name = "besu_a"
	if _, err := Render(cfg); err == nil {
		t.Error("nodes besu-a and besu_a rendered, though their logical ids collide")
	}
}

func TestDLMInterval(t *testing.T) {
	for every, want := range map[time.Duration]int{
		10 * time.Minute: 1, time.Hour: 1, 5 * time.Hour: 4, 12 * time.Hour: 12, 24 * time.Hour: 24, 72 * time.Hour: 24,
	} {
		if got := dlmInterval(every); got != want {
			t.Errorf("dlmInterval(%s) = %d, want %d", every, got, want)
		}
	}
	tpl, _, err := Build(load(t, "mainnet"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tpl.Resources[idDLMPolicy]; !ok {
		t.Error("mainnet restores a node from EBS snapshots, but nothing makes them")
	}
	tpl, _, _ = Build(load(t, "classic"))
	if _, ok := tpl.Resources[idDLMPolicy]; ok {
		t.Error("classic has no EBS node, but a snapshot policy")
	}
}
