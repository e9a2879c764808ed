package stack_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ethfleet/ethfleet/internal/stack"
	"github.com/ethfleet/ethfleet/internal/stack/stacktest"
)

// bigTemplate is a template of n security groups, written as ethfleet
// writes its templates: YAML with the long forms of the intrinsic
// functions, and an unquoted date.
func bigTemplate(n int) string {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: 2010-09-09\nParameters:\n  Size: {Type: String}\nResources:\n")
	for i := range n {
		fmt.Fprintf(&b, `  Group%d:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription:
        Fn::Sub: "group %d of ${AWS::StackName}, which only lets the fleet's own hosts in on the ports they serve"
      Tags:
        - Key: ethfleet:fleet
          Value:
            Ref: AWS::StackName
`, i, i)
	}
	return b.String()
}

func TestFit(t *testing.T) {
	fits := bigTemplate(180) // over 51,200 bytes as YAML, under as compact JSON
	large := bigTemplate(400)
	short := strings.Repeat("#"+strings.Repeat(" ", 99)+"\n", 520) + tplV1 // uses !Ref
	if len(fits) <= stack.MaxTemplateBody || len(large) <= stack.MaxTemplateBody {
		t.Fatalf("the test templates are too small: %d, %d bytes", len(fits), len(large))
	}
	objects := &stacktest.Objects{Buckets: []string{"fleet-templates"}}
	up := &stack.Uploader{API: objects, Bucket: "fleet-templates", Region: "us-east-1"}
	tests := []struct {
		name     string
		template string
		up       *stack.Uploader
		json     bool   // sent as compact JSON
		url      string // the TemplateURL's key, or ""
		err      string
	}{
		{"fits as it is", tplV1, nil, false, "", ""},
		{"fits as compact JSON", fits, nil, true, "", ""},
		{"too large, no bucket", large, nil, false, "", "set aws.templateBucket"},
		{"uploaded", large, up, true, "ethfleet/demo/template-", ""},
		{"short forms uploaded as YAML", short, up, false, ".yaml", ""},
		{"no such bucket", large, &stack.Uploader{API: objects, Bucket: "missing", Region: "us-east-1"}, false, "", "upload the template of demo to s3://missing/ethfleet/demo/template-"},
		{"over 1 MB", bigTemplate(6000), up, false, "", "CloudFormation takes at most 1048576 from S3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := stack.Fit(ctx, demo(tt.template, "m7i.large"), tt.up)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Fit: %v, want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fit: %v", err)
			}
			sent := s.TemplateBody
			if tt.url != "" {
				key, ok := strings.CutPrefix(s.TemplateURL, "https://fleet-templates.s3.us-east-1.amazonaws.com/")
				if !ok || !strings.Contains(key, tt.url) || s.TemplateBody != "" {
					t.Fatalf("TemplateURL %q, body %d bytes; want the object's URL only", s.TemplateURL, len(s.TemplateBody))
				}
				b, _ := objects.Object("fleet-templates", key)
				sent = string(b)
			}
			if json.Valid([]byte(sent)) != tt.json {
				t.Errorf("sent as JSON: %v, want %v", !tt.json, tt.json)
			}
			if tt.json {
				sameDocument(t, sent, tt.template)
			}
			// The fake CloudFormation takes it, from the request or S3.
			e := newEnv()
			e.fake.Objects = objects
			if res, err := e.deploy(t, s); err != nil || res.Status != "CREATE_COMPLETE" {
				t.Errorf("deploy: %+v, %v", res, err)
			}
		})
	}
}

// sameDocument fails unless the compact JSON says what the YAML says, the
// date a string.
func sameDocument(t *testing.T, compact, template string) {
	t.Helper()
	var got, want any
	if err := yaml.Unmarshal([]byte(compact), &got); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(strings.Replace(template, "2010-09-09", `"2010-09-09"`, 1)), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("the compact JSON differs from the YAML template")
	}
}

// TestFakeTemplateLimits: the fake CloudFormation refuses what
// CloudFormation refuses.
func TestFakeTemplateLimits(t *testing.T) {
	e := newEnv()
	tests := []struct {
		s    stack.Stack
		want string
	}{
		{stack.Stack{Name: "demo", TemplateBody: bigTemplate(200)}, "Member must have length less than or equal to 51200"},
		{stack.Stack{Name: "demo", TemplateURL: "https://x.s3.us-east-1.amazonaws.com/none"}, "TemplateURL must be a supported URL"},
		{stack.Stack{Name: "demo"}, "Specify exactly one of TemplateBody or TemplateURL"},
	}
	for _, tt := range tests {
		if _, err := e.d.Plan(ctx, tt.s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Plan(%.40q): %v, want %q", tt.s.TemplateBody+tt.s.TemplateURL, err, tt.want)
		}
	}
}
