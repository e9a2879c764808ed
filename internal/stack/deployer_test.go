package stack_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/ethfleet/ethfleet/internal/stack"
	"github.com/ethfleet/ethfleet/internal/stack/stacktest"
)

const (
	tplV1 = `
Parameters:
  Size: {Type: String}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
  Node:
    Type: AWS::EC2::Instance
    Properties: {InstanceType: !Ref Size}
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: {Name: !Sub "${AWS::StackName}-vpc"}
  Endpoint:
    Value: http://gateway.internal:8545
`
	tplV2 = `
Parameters:
  Size: {Type: String}
Resources:
  Node:
    Type: AWS::EC2::Instance
    Properties: {InstanceType: !Ref Size}
  Sg:
    Type: AWS::EC2::SecurityGroup
`
)

var ctx = context.Background()

type env struct {
	fake *stacktest.Fake
	out  *bytes.Buffer
	d    *stack.Deployer
}

func newEnv() *env {
	clock := stacktest.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	fake := &stacktest.Fake{Clock: clock, EventsPageSize: 2}
	out := &bytes.Buffer{}
	return &env{fake: fake, out: out, d: &stack.Deployer{API: fake, Out: out, Clock: clock, Poll: 5 * time.Second}}
}

func demo(body, size string) stack.Stack {
	return stack.Stack{Name: "demo", TemplateBody: body, Parameters: map[string]string{"Size": size},
		Tags: map[string]string{"ethfleet:fleet": "demo", "ethfleet:network": "mainnet"}}
}

// deploy plans and applies s.
func (e *env) deploy(t *testing.T, s stack.Stack) (stack.Result, error) {
	t.Helper()
	cs, err := e.d.Plan(ctx, s)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return e.d.Apply(ctx, cs)
}

func TestCreate(t *testing.T) {
	e := newEnv()
	cs, err := e.d.Plan(ctx, demo(tplV1, "m7i.large"))
	if err != nil {
		t.Fatal(err)
	}
	if !cs.Create || cs.NoChanges || cs.Name != "ethfleet-20250601T120000Z" || !strings.Contains(cs.ID, ":changeSet/ethfleet-20250601T120000Z/") {
		t.Errorf("change set = %+v", cs)
	}
	var table bytes.Buffer
	stack.WriteChanges(&table, cs.Changes)
	wantText(t, "changes", table.String(), `
ACTION  LOGICAL ID  TYPE                REPLACEMENT
Add     Vpc         AWS::EC2::VPC       -
Add     Node        AWS::EC2::Instance  -
`)
	res, err := e.d.Apply(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "CREATE_COMPLETE" {
		t.Errorf("status = %s", res.Status)
	}
	// Only what happened after the execution began, each event once,
	// oldest first, and the progress whenever it moved.
	wantText(t, "events", e.out.String(), `
12:00:05  CREATE_IN_PROGRESS                   demo (AWS::CloudFormation::Stack): User Initiated
12:00:05  CREATE_IN_PROGRESS                   Vpc (AWS::EC2::VPC)
12:00:05  CREATE_IN_PROGRESS                   Node (AWS::EC2::Instance)
12:00:05  CREATE_COMPLETE                      Vpc (AWS::EC2::VPC)
12:00:10  CREATE_COMPLETE                      Node (AWS::EC2::Instance)
12:00:10  CREATE_COMPLETE                      demo (AWS::CloudFormation::Stack)
[2/2 resources, 5s]
`)
	var outputs bytes.Buffer
	stack.WriteOutputs(&outputs, res.Outputs)
	if !strings.HasPrefix(outputs.String(), "OUTPUT    VALUE                         EXPORT\nEndpoint  http://gateway.internal:8545  -\nVpcId     demo-Vpc-") ||
		!strings.HasSuffix(outputs.String(), "demo-vpc\n") {
		t.Errorf("outputs:\n%s", outputs.String())
	}
	st, _ := e.fake.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("demo")})
	var tags []string
	for _, tag := range st.Stacks[0].Tags {
		tags = append(tags, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
	}
	if strings.Join(tags, ",") != "ethfleet:fleet=demo,ethfleet:network=mainnet" {
		t.Errorf("tags = %v", tags)
	}
}

func TestUpdate(t *testing.T) {
	e := newEnv()
	if _, err := e.deploy(t, demo(tplV1, "m7i.large")); err != nil {
		t.Fatal(err)
	}
	cs, err := e.d.Plan(ctx, demo(tplV2, "m7i.xlarge"))
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	stack.WriteChanges(&table, cs.Changes)
	wantText(t, "changes", table.String(), `
ACTION  LOGICAL ID  TYPE                     REPLACEMENT
Modify  Node        AWS::EC2::Instance       False
Add     Sg          AWS::EC2::SecurityGroup  -
Remove  Vpc         AWS::EC2::VPC            -
`)
	if cs.Create {
		t.Error("an update is planned as a create")
	}
	e.out.Reset()
	res, err := e.d.Apply(ctx, cs)
	if err != nil || res.Status != "UPDATE_COMPLETE" || len(res.Outputs) != 0 {
		t.Fatalf("Apply = %+v, %v", res, err)
	}
	if !strings.Contains(e.out.String(), "[3/3 resources,") || !strings.Contains(e.out.String(), "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS") {
		t.Errorf("events:\n%s", e.out.String())
	}
}

func TestNoChanges(t *testing.T) {
	e := newEnv()
	if _, err := e.deploy(t, demo(tplV1, "m7i.large")); err != nil {
		t.Fatal(err)
	}
	cs, err := e.d.Plan(ctx, demo(tplV1, "m7i.large"))
	if err != nil || !cs.NoChanges || len(cs.Changes) != 0 {
		t.Fatalf("Plan = %+v, %v; want no changes", cs, err)
	}
	if _, err := e.fake.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(cs.ID)}); err == nil {
		t.Error("the empty change set was not deleted")
	}
	if _, err := e.d.Apply(ctx, cs); err == nil {
		t.Error("Apply of no changes: no error")
	}
}

func TestRollback(t *testing.T) {
	tests := []struct {
		name    string
		first   bool // deploy tplV1 first, then fail the update to tplV2
		fail    string
		wantErr string
	}{
		{"create", false, "Vpc", "stack demo rolled back (ROLLBACK_COMPLETE): Vpc (AWS::EC2::VPC) CREATE_FAILED: boom"},
		{"create, last resource", false, "Node", "stack demo rolled back (ROLLBACK_COMPLETE): Node (AWS::EC2::Instance) CREATE_FAILED: boom"},
		{"update", true, "Sg", "stack demo rolled back (UPDATE_ROLLBACK_COMPLETE): Sg (AWS::EC2::SecurityGroup) CREATE_FAILED: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv()
			body := tplV1
			if tt.first {
				if _, err := e.deploy(t, demo(tplV1, "m7i.large")); err != nil {
					t.Fatal(err)
				}
				body = tplV2
			}
			e.fake.Fail(tt.fail, "boom")
			_, err := e.deploy(t, demo(body, "m7i.large"))
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("err = %v\nwant %s", err, tt.wantErr)
			}
		})
	}
}

func TestRolledBackStack(t *testing.T) {
	e := newEnv()
	e.fake.Fail("Vpc", "boom")
	if _, err := e.deploy(t, demo(tplV1, "a")); err == nil {
		t.Fatal("no error")
	}
	e.fake.Fail("Vpc", "")
	_, err := e.d.Plan(ctx, demo(tplV1, "a"))
	if err == nil || !strings.Contains(err.Error(), "ROLLBACK_COMPLETE after a failed create") || !strings.Contains(err.Error(), "ethfleet destroy") {
		t.Errorf("Plan on ROLLBACK_COMPLETE: %v", err)
	}
	e.d.ReplaceRolledBack = true
	e.out.Reset()
	cs, err := e.d.Plan(ctx, demo(tplV1, "a"))
	if err != nil || !cs.Create {
		t.Fatalf("Plan = %+v, %v; want a create", cs, err)
	}
	if !strings.Contains(e.out.String(), "deleting it first") || !strings.Contains(e.out.String(), "DELETE_COMPLETE") {
		t.Errorf("out:\n%s", e.out.String())
	}
	if res, err := e.d.Apply(ctx, cs); err != nil || res.Status != "CREATE_COMPLETE" {
		t.Errorf("Apply = %+v, %v", res, err)
	}
}

func TestDiscard(t *testing.T) {
	e := newEnv()
	cs, err := e.d.Plan(ctx, demo(tplV1, "a"))
	if err != nil {
		t.Fatal(err)
	}
	// A second plan of the never executed create is a create too.
	cs2, err := e.d.Plan(ctx, demo(tplV1, "a"))
	if err != nil || !cs2.Create {
		t.Fatalf("Plan = %+v, %v; want a create", cs2, err)
	}
	if err := e.d.Discard(ctx, cs2); err != nil {
		t.Fatal(err)
	}
	if err := e.d.Discard(ctx, cs); err != nil {
		t.Fatal(err)
	}
	e.fake.Settle()
	if err := e.d.Destroy(ctx, "demo"); !errors.Is(err, stack.ErrNoStack) {
		t.Errorf("after discarding the create, Destroy = %v, want ErrNoStack", err)
	}
}

func TestDestroy(t *testing.T) {
	e := newEnv()
	if _, err := e.deploy(t, demo(tplV1, "a")); err != nil {
		t.Fatal(err)
	}
	e.fake.FailDelete("Vpc", "has dependencies")
	err := e.d.Destroy(ctx, "demo")
	want := "stack demo could not be deleted (DELETE_FAILED): Vpc (AWS::EC2::VPC) DELETE_FAILED: has dependencies"
	if err == nil || err.Error() != want {
		t.Errorf("Destroy = %v\nwant %s", err, want)
	}
	e.fake.FailDelete("Vpc", "")
	e.out.Reset()
	if err := e.d.Destroy(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(e.out.String(), "DELETE_COMPLETE                      demo (AWS::CloudFormation::Stack)\n") ||
		strings.Contains(e.out.String(), "Node") { // deleted by the first attempt
		t.Errorf("out:\n%s", e.out.String())
	}
	if err := e.d.Destroy(ctx, "demo"); !errors.Is(err, stack.ErrNoStack) {
		t.Errorf("Destroy of a deleted stack = %v, want ErrNoStack", err)
	}
}

func TestTimeout(t *testing.T) {
	e := newEnv()
	e.d.Poll, e.d.Timeout = time.Hour, 90*time.Minute
	cs, err := e.d.Plan(ctx, demo(tplV1, "a"))
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Hold(true)
	_, err = e.d.Apply(ctx, cs)
	if err == nil || !strings.Contains(err.Error(), "gave up waiting for stack demo after 1h30m0s") {
		t.Errorf("Apply = %v, want a timeout", err)
	}
}

func TestLiveProgress(t *testing.T) {
	e := newEnv()
	e.d.Live = true
	if _, err := e.deploy(t, demo(tplV1, "a")); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	if !strings.Contains(out, "\r\033[K[2/2 resources, 5s]") || !strings.HasSuffix(out, "[2/2 resources, 10s]\n") {
		t.Errorf("out = %q", out)
	}
}

func TestParseParameters(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{`[{"ParameterKey": "A", "ParameterValue": "1"}, {"ParameterKey": "B", "ParameterValue": ""}]`, "A=1 B=", ""},
		{`[]`, "", ""},
		{`{"A": "1"}`, "", "cannot unmarshal"},
		{`[{"ParameterValue": "1"}]`, "", "no ParameterKey"},
		{`[{"ParameterKey": "A"}, {"ParameterKey": "A"}]`, "", "given twice"},
	}
	for _, tt := range tests {
		params, err := stack.ParseParameters([]byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseParameters(%s) = %v, want error %q", tt.in, err, tt.err)
			}
			continue
		}
		var got []string
		for _, k := range []string{"A", "B"} {
			if v, ok := params[k]; ok {
				got = append(got, k+"="+v)
			}
		}
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("ParseParameters(%s) = %v, %v, want %s", tt.in, got, err, tt.want)
		}
	}
}

func wantText(t *testing.T, what, got, want string) {
	t.Helper()
	if want = strings.TrimPrefix(want, "\n"); got != want {
		t.Errorf("%s:\ngot\n%s\nwant\n%s", what, got, want)
	}
}
