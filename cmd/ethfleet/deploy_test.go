package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
	"github.com/ethfleet/ethfleet/internal/stack"
	"github.com/ethfleet/ethfleet/internal/stack/stacktest"
)

const deployConfig = `
network:
  name: classic
nodes:
  - name: besu-a
    execution: {client: besu}
gateway:
  listen: 0.0.0.0:8545
  apiKeys:
    - name: pool
      key: ${POOL_API_KEY}
aws:
  region: us-east-1
  newVpc: {cidr: 10.61.0.0/16}
`

// deployTemplate stands in for cfn.Render's template.
const deployTemplate = `
Parameters:
  Image: {Type: String}
Resources:
  Vpc: {Type: AWS::EC2::VPC}
  Role: {Type: AWS::IAM::Role}
  Node:
    Type: AWS::EC2::Instance
    Properties: {UserData: !Ref Image}
Outputs:
  GatewayUrl:
    Value: http://gateway.ethfleet.internal:8545
    Export: {Name: !Sub "${AWS::StackName}-gateway-url"}
`

// deployWorld runs deploy and destroy against a fake CloudFormation.
type deployWorld struct {
	t      *testing.T
	fake   *stacktest.Fake
	config string
	// image is the parameter the stand-in renderer passes.
	image string
	// template is what the renderer makes (default deployTemplate).
	template string
	objects  *stacktest.Objects
}

func newDeployWorld(t *testing.T) *deployWorld {
	clock := stacktest.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	w := &deployWorld{t: t, fake: &stacktest.Fake{Clock: clock, EventsPageSize: 3}, image: "ethfleet:1",
		config: filepath.Join(t.TempDir(), "fleet.yaml"), template: deployTemplate,
		objects: &stacktest.Objects{Buckets: []string{"fleet-templates"}}}
	w.fake.Objects = w.objects
	if err := os.WriteFile(w.config, []byte(deployConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *deployWorld) backend() stackBackend {
	return stackBackend{
		connect: func(ctx context.Context, region string) (stack.API, error) {
			if region != "us-east-1" {
				w.t.Errorf("connected to %s, want aws.region us-east-1", region)
			}
			return w.fake, nil
		},
		objects: func(ctx context.Context, region string) (stack.ObjectAPI, error) { return w.objects, nil },
		render: func(cfg *config.Config) ([]render.File, error) {
			return []render.File{
				{Path: "template.yaml", Data: []byte(w.template)},
				{Path: "parameters.json", Data: []byte(`[{"ParameterKey": "Image", "ParameterValue": "` + w.image + `"}]`)},
			}, nil
		},
		clock: w.fake.Clock,
	}
}

// run runs ethfleet with args, stdin as its input, and returns what it
// printed on stdout and stderr.
func (w *deployWorld) run(stdin string, args ...string) (stdout, stderr string, err error) {
	root := &cobra.Command{Use: "ethfleet", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(newDeployCmd(w.backend()), newDestroyCmd(w.backend()))
	var out, errOut bytes.Buffer
	root.SetArgs(append(args, "--config", w.config))
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func (w *deployWorld) stackStatus() string {
	w.fake.Settle()
	out, err := w.fake.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("ethfleet-classic")})
	if err != nil {
		return err.Error()
	}
	return string(out.Stacks[0].StackStatus)
}

func contains(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, text)
		}
	}
}

// TestDeployLargeTemplate: a template too large for a request goes to
// aws.templateBucket, and the change set names its URL; without a bucket,
// deploy says to set one.
func TestDeployLargeTemplate(t *testing.T) {
	large := "Description: " + strings.Repeat("a fleet of many nodes ", 3000) + "\n" + deployTemplate
	tests := []struct {
		name, config, err string
	}{
		{"no bucket", deployConfig, "set aws.templateBucket"},
		{"bucket", deployConfig + "  templateBucket: fleet-templates\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newDeployWorld(t)
			w.template = large
			os.WriteFile(w.config, []byte(tt.config), 0o600)
			out, events, err := w.run("", "deploy", "aws", "--yes")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("deploy: %v, want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil || w.stackStatus() != "CREATE_COMPLETE" {
				t.Fatalf("deploy: %v, stack %s\n%s%s", err, w.stackStatus(), out, events)
			}
			contains(t, "stdout", out, "template: https://fleet-templates.s3.us-east-1.amazonaws.com/ethfleet/ethfleet-classic/template-")
		})
	}
}

// A deploy that uploads its template removes the stack's older ones but
// the newest, and goes on when it cannot.
func TestDeployPrunesTemplates(t *testing.T) {
	large := "Description: " + strings.Repeat("a fleet of many nodes ", 3000) + "\n" + deployTemplate
	w := newDeployWorld(t)
	w.template = large
	os.WriteFile(w.config, []byte(deployConfig+"  templateBucket: fleet-templates\n"), 0o600)
	for i := range stack.KeepTemplates + 2 {
		key := fmt.Sprintf("ethfleet/ethfleet-classic/template-old%d.json", i)
		w.objects.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("fleet-templates"), Key: aws.String(key), Body: strings.NewReader("{}")})
	}
	out, events, err := w.run("", "deploy", "aws", "--yes")
	if err != nil {
		t.Fatalf("deploy: %v\n%s%s", err, out, events)
	}
	contains(t, "stdout", out, "removed 3 older templates of ethfleet-classic from s3://fleet-templates")
	for i, kept := range []bool{false, false, false, true, true, true, true} {
		key := fmt.Sprintf("ethfleet/ethfleet-classic/template-old%d.json", i)
		if _, ok := w.objects.Object("fleet-templates", key); ok != kept {
			t.Errorf("%s kept %v, want %v", key, ok, kept)
		}
	}

	// Credentials that may not delete: the deploy goes on, and says so.
	w.objects.Denied = []string{"DeleteObject"}
	w.template += "# another template, another object\n"
	out, stderr, err := w.run("", "deploy", "aws", "--yes")
	if err != nil {
		t.Fatalf("deploy: %v\n%s%s", err, out, stderr)
	}
	contains(t, "stderr", stderr, "warning: stack: delete s3://fleet-templates/ethfleet/ethfleet-classic/template-", "AccessDenied")
}

func TestDeployCreate(t *testing.T) {
	w := newDeployWorld(t)
	out, events, err := w.run("", "deploy", "aws", "--yes")
	if err != nil {
		t.Fatalf("deploy: %v\n%s%s", err, out, events)
	}
	want := `change set ethfleet-20250601T120000Z creates stack ethfleet-classic:
ACTION  LOGICAL ID  TYPE                REPLACEMENT
Add     Vpc         AWS::EC2::VPC       -
Add     Role        AWS::IAM::Role      -
Add     Node        AWS::EC2::Instance  -
stack ethfleet-classic: CREATE_COMPLETE
OUTPUT      VALUE                                  EXPORT
GatewayUrl  http://gateway.ethfleet.internal:8545  ethfleet-classic-gateway-url
`
	if out != want {
		t.Errorf("stdout:\n%s\nwant\n%s", out, want)
	}
	contains(t, "events", events, "CREATE_IN_PROGRESS                   Node (AWS::EC2::Instance)", "[3/3 resources,",
		"CREATE_COMPLETE                      ethfleet-classic (AWS::CloudFormation::Stack)")
	st, _ := w.fake.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("ethfleet-classic")})
	var tags []string
	for _, tag := range st.Stacks[0].Tags {
		tags = append(tags, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
	}
	if got := strings.Join(tags, " "); got != "ethfleet:fleet=ethfleet-classic ethfleet:network=classic" {
		t.Errorf("tags = %s", got)
	}

	// The same again changes nothing; a new parameter modifies the node.
	out, _, err = w.run("", "deploy", "aws", "--yes")
	if err != nil || out != "stack ethfleet-classic is up to date: no changes\n" {
		t.Errorf("deploy again = %q, %v", out, err)
	}
	w.image = "ethfleet:2"
	out, _, err = w.run("", "deploy", "aws", "--yes")
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "stdout", out, "updates stack ethfleet-classic", "Modify  Node        AWS::EC2::Instance  False", "stack ethfleet-classic: UPDATE_COMPLETE")
}

func TestDeployRollback(t *testing.T) {
	w := newDeployWorld(t)
	w.fake.Fail("Vpc", "The maximum number of VPCs has been reached.")
	out, events, err := w.run("", "deploy", "aws", "--yes")
	want := "stack ethfleet-classic rolled back (ROLLBACK_COMPLETE): Vpc (AWS::EC2::VPC) CREATE_FAILED: The maximum number of VPCs has been reached."
	if err == nil || err.Error() != want {
		t.Errorf("deploy = %v\nwant %s", err, want)
	}
	contains(t, "events", events, "Resource creation cancelled", "[0/3 resources, rolling back,", "ROLLBACK_COMPLETE")
	if strings.Contains(out, "OUTPUT") {
		t.Errorf("outputs printed after a rollback:\n%s", out)
	}

	// The stack cannot be updated now; --replace-rolled-back starts over.
	w.fake.Fail("Vpc", "")
	_, _, err = w.run("", "deploy", "aws", "--yes")
	if err == nil || !strings.Contains(err.Error(), "--replace-rolled-back") {
		t.Errorf("deploy over ROLLBACK_COMPLETE = %v", err)
	}
	out, _, err = w.run("", "deploy", "aws", "--yes", "--replace-rolled-back")
	if err != nil || !strings.Contains(out, "CREATE_COMPLETE") {
		t.Errorf("deploy --replace-rolled-back = %v\n%s", err, out)
	}
}

func TestDeployDryRun(t *testing.T) {
	w := newDeployWorld(t)
	out, _, err := w.run("", "deploy", "aws", "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "stdout", out, "Add     Node        AWS::EC2::Instance", "dry run: not applied",
		"deleted change set ethfleet-20250601T120000Z and the empty stack ethfleet-classic it was made for")
	if got := w.stackStatus(); !strings.Contains(got, "does not exist") {
		t.Errorf("after a dry run the stack is %s", got)
	}
}

func TestDeployAsks(t *testing.T) {
	w := newDeployWorld(t)
	for _, args := range [][]string{{"deploy", "aws"}, {"destroy"}} {
		_, _, err := w.run("y\n", args...)
		if err == nil || !strings.Contains(err.Error(), "stdin is not a terminal") || !strings.Contains(err.Error(), "--yes") {
			t.Errorf("%s without --yes on a pipe = %v", args, err)
		}
	}
	if got := w.stackStatus(); !strings.Contains(got, "does not exist") {
		t.Errorf("a refused deploy made a stack: %s", got)
	}
	var out bytes.Buffer
	for answer, want := range map[string]bool{"y\n": true, "YES\n": true, "n\n": false, "\n": false, "": false} {
		if ok, err := confirm(strings.NewReader(answer), &out, "Go?"); ok != want || err != nil {
			t.Errorf("confirm(%q) = %v, %v", answer, ok, err)
		}
	}
}

func TestDestroy(t *testing.T) {
	w := newDeployWorld(t)
	if _, _, err := w.run("", "deploy", "aws", "--yes"); err != nil {
		t.Fatal(err)
	}
	w.fake.FailDelete("Vpc", "The vpc has dependencies and cannot be deleted.")
	_, _, err := w.run("", "destroy", "--yes")
	if err == nil || !strings.Contains(err.Error(), "(DELETE_FAILED): Vpc (AWS::EC2::VPC) DELETE_FAILED: The vpc has dependencies") {
		t.Errorf("destroy = %v", err)
	}
	w.fake.FailDelete("Vpc", "")
	out, events, err := w.run("", "destroy", "--yes")
	if err != nil || out != "stack ethfleet-classic deleted\n" {
		t.Errorf("destroy = %q, %v", out, err)
	}
	contains(t, "events", events, "DELETE_COMPLETE                      Vpc (AWS::EC2::VPC)", "DELETE_COMPLETE                      ethfleet-classic")
	out, _, err = w.run("", "destroy", "--yes")
	if err != nil || out != "stack ethfleet-classic does not exist: nothing to destroy\n" {
		t.Errorf("destroy again = %q, %v", out, err)
	}
}
