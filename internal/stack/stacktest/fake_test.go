package stacktest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

const (
	tplV1 = `
Parameters:
  Size: {Type: String}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Node:
    Type: AWS::EC2::Instance
    Properties: {InstanceType: !Ref Size}
Outputs:
  VpcId:
    Description: the VPC
    Value: !Ref Vpc
    Export: {Name: !Sub "${AWS::StackName}-vpc"}
  Size:
    Value: {Ref: Size}
`
	// tplV2 removes Vpc and adds Sg.
	tplV2 = `{"Parameters": {"Size": {"Type": "String"}},
 "Resources": {
  "Node": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": {"Ref": "Size"}}},
  "Sg": {"Type": "AWS::EC2::SecurityGroup"}}}`
)

var ctx = context.Background()

func newFake() *Fake {
	return &Fake{Clock: NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)), EventsPageSize: 2}
}

func params(size string) []types.Parameter {
	return []types.Parameter{{ParameterKey: aws.String("Size"), ParameterValue: aws.String(size)}}
}

// plan creates a change set and settles it.
func plan(t *testing.T, f *Fake, kind types.ChangeSetType, name, body, size string) *cloudformation.DescribeChangeSetOutput {
	t.Helper()
	out, err := f.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("demo"), ChangeSetName: aws.String(name), ChangeSetType: kind,
		TemplateBody: aws.String(body), Parameters: params(size),
	})
	if err != nil {
		t.Fatalf("CreateChangeSet: %v", err)
	}
	f.Settle()
	cs, err := f.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id})
	if err != nil {
		t.Fatalf("DescribeChangeSet: %v", err)
	}
	return cs
}

// deploy plans and executes a change set and settles the stack.
func deploy(t *testing.T, f *Fake, kind types.ChangeSetType, name, body, size string) {
	t.Helper()
	cs := plan(t, f, kind, name, body, size)
	if _, err := f.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.ChangeSetId}); err != nil {
		t.Fatalf("ExecuteChangeSet: %v", err)
	}
	f.Settle()
}

// transcript reads every event of the stack, page by page, and returns
// them oldest first as "LOGICAL STATUS[: reason]".
func transcript(t *testing.T, f *Fake, stack string) []string {
	t.Helper()
	var lines []string
	var token *string
	for {
		out, err := f.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack), NextToken: token})
		if err != nil {
			t.Fatalf("DescribeStackEvents: %v", err)
		}
		if len(out.StackEvents) > f.EventsPageSize {
			t.Fatalf("page of %d events, want at most %d", len(out.StackEvents), f.EventsPageSize)
		}
		for _, ev := range out.StackEvents {
			line := aws.ToString(ev.LogicalResourceId) + " " + string(ev.ResourceStatus)
			if r := aws.ToString(ev.ResourceStatusReason); r != "" {
				line += ": " + r
			}
			lines = append(lines, line)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	slices.Reverse(lines)
	return lines
}

func status(t *testing.T, f *Fake, stack string) types.Stack {
	t.Helper()
	out, err := f.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		t.Fatalf("DescribeStacks: %v", err)
	}
	return out.Stacks[0]
}

func changes(cs *cloudformation.DescribeChangeSetOutput) []string {
	var list []string
	for _, c := range cs.Changes {
		rc := c.ResourceChange
		list = append(list, fmt.Sprintf("%s %s %s %s", rc.Action, aws.ToString(rc.LogicalResourceId), aws.ToString(rc.ResourceType), rc.Replacement))
	}
	return list
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\ngot\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

var created = []string{
	"demo REVIEW_IN_PROGRESS: User Initiated",
	"demo CREATE_IN_PROGRESS: User Initiated",
	"Vpc CREATE_IN_PROGRESS",
	"Node CREATE_IN_PROGRESS",
	"Vpc CREATE_COMPLETE",
	"Node CREATE_COMPLETE",
	"demo CREATE_COMPLETE",
}

func TestChangeSetStates(t *testing.T) {
	f := newFake()
	out, err := f.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("demo"), ChangeSetName: aws.String("cs1"), ChangeSetType: types.ChangeSetTypeCreate,
		TemplateBody: aws.String(tplV1), Parameters: params("m7i.large"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := status(t, f, "demo"); st.StackStatus != types.StackStatusReviewInProgress {
		t.Errorf("stack is %s, want REVIEW_IN_PROGRESS", st.StackStatus)
	}
	var seen []string
	for range 3 {
		cs, err := f.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, string(cs.Status)+"/"+string(cs.ExecutionStatus))
	}
	// The DescribeStacks above took the first step.
	equal(t, "change set states", seen, []string{"CREATE_COMPLETE/AVAILABLE", "CREATE_COMPLETE/AVAILABLE", "CREATE_COMPLETE/AVAILABLE"})

	f2 := newFake()
	out, _ = f2.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("demo"), ChangeSetName: aws.String("cs1"), ChangeSetType: types.ChangeSetTypeCreate,
		TemplateBody: aws.String(tplV1), Parameters: params("m7i.large"),
	})
	seen = nil
	for range 2 {
		cs, _ := f2.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id})
		seen = append(seen, string(cs.Status)+"/"+string(cs.ExecutionStatus))
	}
	if _, err := f2.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: out.Id}); err != nil {
		t.Fatal(err)
	}
	cs, _ := f2.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String("cs1"), StackName: aws.String("demo")})
	seen = append(seen, string(cs.Status)+"/"+string(cs.ExecutionStatus))
	f2.Settle()
	cs, _ = f2.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id})
	seen = append(seen, string(cs.Status)+"/"+string(cs.ExecutionStatus))
	equal(t, "change set states", seen, []string{
		"CREATE_IN_PROGRESS/UNAVAILABLE", "CREATE_COMPLETE/AVAILABLE", "CREATE_COMPLETE/EXECUTE_IN_PROGRESS", "CREATE_COMPLETE/EXECUTE_COMPLETE",
	})
	equal(t, "changes", changes(cs), []string{"Add Vpc AWS::EC2::VPC ", "Add Node AWS::EC2::Instance "})
}

func TestStackStates(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, f *Fake)
		want  []string
		// status is the stack's status at the end.
		status types.StackStatus
	}{{
		name:   "create",
		setup:  func(t *testing.T, f *Fake) { deploy(t, f, types.ChangeSetTypeCreate, "cs1", tplV1, "m7i.large") },
		want:   created,
		status: types.StackStatusCreateComplete,
	}, {
		name: "create fails and rolls back",
		setup: func(t *testing.T, f *Fake) {
			f.Fail("Vpc", "The maximum number of VPCs has been reached.")
			deploy(t, f, types.ChangeSetTypeCreate, "cs1", tplV1, "m7i.large")
		},
		want: []string{
			"demo REVIEW_IN_PROGRESS: User Initiated",
			"demo CREATE_IN_PROGRESS: User Initiated",
			"Vpc CREATE_IN_PROGRESS",
			"Node CREATE_IN_PROGRESS",
			"Vpc CREATE_FAILED: The maximum number of VPCs has been reached.",
			"Node CREATE_FAILED: Resource creation cancelled",
			"demo ROLLBACK_IN_PROGRESS: The following resource(s) failed to create: [Node, Vpc]. Rollback requested by user.",
			"Node DELETE_IN_PROGRESS",
			"Node DELETE_COMPLETE",
			"Vpc DELETE_IN_PROGRESS",
			"Vpc DELETE_COMPLETE",
			"demo ROLLBACK_COMPLETE",
		},
		status: types.StackStatusRollbackComplete,
	}, {
		name: "update adds, modifies and removes",
		setup: func(t *testing.T, f *Fake) {
			deploy(t, f, types.ChangeSetTypeCreate, "cs1", tplV1, "m7i.large")
			deploy(t, f, types.ChangeSetTypeUpdate, "cs2", tplV2, "m7i.xlarge")
		},
		want: append(slices.Clone(created),
			"demo UPDATE_IN_PROGRESS: User Initiated",
			"Node UPDATE_IN_PROGRESS",
			"Sg CREATE_IN_PROGRESS",
			"Node UPDATE_COMPLETE",
			"Sg CREATE_COMPLETE",
			"demo UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
			"Vpc DELETE_IN_PROGRESS",
			"Vpc DELETE_COMPLETE",
			"demo UPDATE_COMPLETE",
		),
		status: types.StackStatusUpdateComplete,
	}, {
		name: "update fails and rolls back",
		setup: func(t *testing.T, f *Fake) {
			deploy(t, f, types.ChangeSetTypeCreate, "cs1", tplV1, "m7i.large")
			f.Fail("Sg", "Security group limit exceeded")
			deploy(t, f, types.ChangeSetTypeUpdate, "cs2", tplV2, "m7i.xlarge")
		},
		want: append(slices.Clone(created),
			"demo UPDATE_IN_PROGRESS: User Initiated",
			"Node UPDATE_IN_PROGRESS",
			"Sg CREATE_IN_PROGRESS",
			"Node UPDATE_COMPLETE",
			"Sg CREATE_FAILED: Security group limit exceeded",
			"demo UPDATE_ROLLBACK_IN_PROGRESS: The following resource(s) failed to update: [Sg]. Rollback requested by user.",
			"Node UPDATE_IN_PROGRESS",
			"Node UPDATE_COMPLETE",
			"demo UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
			"Sg DELETE_IN_PROGRESS",
			"Sg DELETE_COMPLETE",
			"demo UPDATE_ROLLBACK_COMPLETE",
		),
		status: types.StackStatusUpdateRollbackComplete,
	}, {
		name: "delete",
		setup: func(t *testing.T, f *Fake) {
			deploy(t, f, types.ChangeSetTypeCreate, "cs1", tplV1, "m7i.large")
			if _, err := f.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("demo")}); err != nil {
				t.Fatal(err)
			}
			f.Settle()
		},
		want: append(slices.Clone(created),
			"demo DELETE_IN_PROGRESS: User Initiated",
			"Node DELETE_IN_PROGRESS",
			"Node DELETE_COMPLETE",
			"Vpc DELETE_IN_PROGRESS",
			"Vpc DELETE_COMPLETE",
			"demo DELETE_COMPLETE",
		),
		status: types.StackStatusDeleteComplete,
	}, {
		name: "delete fails",
		setup: func(t *testing.T, f *Fake) {
			deploy(t, f, types.ChangeSetTypeCreate, "cs1", tplV1, "m7i.large")
			f.FailDelete("Vpc", "The vpc has dependencies and cannot be deleted.")
			f.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("demo")})
			f.Settle()
		},
		want: append(slices.Clone(created),
			"demo DELETE_IN_PROGRESS: User Initiated",
			"Node DELETE_IN_PROGRESS",
			"Node DELETE_COMPLETE",
			"Vpc DELETE_IN_PROGRESS",
			"Vpc DELETE_FAILED: The vpc has dependencies and cannot be deleted.",
			"demo DELETE_FAILED: The following resource(s) failed to delete: [Vpc]. ",
		),
		status: types.StackStatusDeleteFailed,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			tt.setup(t, f)
			id := f.stacks[0].id // a deleted stack is found by its id only
			equal(t, "events", transcript(t, f, id), tt.want)
			if st := status(t, f, id); st.StackStatus != tt.status {
				t.Errorf("stack is %s, want %s", st.StackStatus, tt.status)
			}
		})
	}
}

func TestOutputs(t *testing.T) {
	f := newFake()
	deploy(t, f, types.ChangeSetTypeCreate, "cs1", tplV1, "m7i.large")
	var got []string
	for _, o := range status(t, f, "demo").Outputs {
		got = append(got, fmt.Sprintf("%s=%s export=%s (%s)", aws.ToString(o.OutputKey), aws.ToString(o.OutputValue), aws.ToString(o.ExportName), aws.ToString(o.Description)))
	}
	vpc := f.stacks[0].physical["Vpc"]
	equal(t, "outputs", got, []string{"VpcId=" + vpc + " export=demo-vpc (the VPC)", "Size=m7i.large export= ()"})
}

func TestChanges(t *testing.T) {
	f := newFake()
	deploy(t, f, types.ChangeSetTypeCreate, "cs1", tplV1, "m7i.large")
	f.Replace("Node", types.ReplacementTrue)
	equal(t, "changes", changes(plan(t, f, types.ChangeSetTypeUpdate, "cs2", tplV2, "m7i.xlarge")), []string{
		"Modify Node AWS::EC2::Instance True", "Add Sg AWS::EC2::SecurityGroup ", "Remove Vpc AWS::EC2::VPC ",
	})
	same := plan(t, f, types.ChangeSetTypeUpdate, "cs3", tplV1, "m7i.large")
	if same.Status != types.ChangeSetStatusFailed || same.ExecutionStatus != types.ExecutionStatusUnavailable || aws.ToString(same.StatusReason) != NoChangesReason {
		t.Errorf("change set without changes: %s/%s %q", same.Status, same.ExecutionStatus, aws.ToString(same.StatusReason))
	}
	_, err := f.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: same.ChangeSetId})
	wantCode(t, err, "InvalidChangeSetStatus", "cannot be executed")
}

func TestUpdateRollbackKeepsTemplate(t *testing.T) {
	f := newFake()
	deploy(t, f, types.ChangeSetTypeCreate, "cs1", tplV1, "m7i.large")
	f.Fail("Node", "Insufficient capacity.")
	deploy(t, f, types.ChangeSetTypeUpdate, "cs2", tplV1, "m7i.xlarge")
	f.Fail("Node", "")
	// The stack still runs cs1's template: the same change plans again.
	equal(t, "changes", changes(plan(t, f, types.ChangeSetTypeUpdate, "cs3", tplV1, "m7i.xlarge")), []string{"Modify Node AWS::EC2::Instance False"})
}

func TestErrors(t *testing.T) {
	withStack := func(status func(f *Fake)) func() *Fake {
		return func() *Fake {
			f := newFake()
			f.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
				StackName: aws.String("demo"), ChangeSetName: aws.String("cs1"), ChangeSetType: types.ChangeSetTypeCreate,
				TemplateBody: aws.String(tplV1), Parameters: params("a"),
			})
			status(f)
			return f
		}
	}
	run := func(f *Fake) {
		f.Settle()
		f.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String("cs1"), StackName: aws.String("demo")})
		f.Settle()
	}
	tests := []struct {
		name      string
		fake      func() *Fake
		kind      types.ChangeSetType
		csName    string
		body      string
		params    []types.Parameter
		code, msg string
	}{
		{"update a stack that does not exist", newFake, types.ChangeSetTypeUpdate, "cs", tplV1, params("a"), "ValidationError", "Stack [demo] does not exist"},
		{"update a stack under review", withStack(func(*Fake) {}), types.ChangeSetTypeUpdate, "cs", tplV1, params("a"), "ValidationError", "is in REVIEW_IN_PROGRESS state and can not be updated"},
		{"create a stack that exists", withStack(run), types.ChangeSetTypeCreate, "cs", tplV1, params("a"), "AlreadyExistsException", "already exists"},
		{"update a rolled back stack", withStack(func(f *Fake) { f.Fail("Vpc", "no"); run(f) }), types.ChangeSetTypeUpdate, "cs", tplV1, params("a"), "ValidationError", "is in ROLLBACK_COMPLETE state"},
		{"name taken", withStack(func(*Fake) {}), types.ChangeSetTypeCreate, "cs1", tplV1, params("a"), "AlreadyExistsException", "ChangeSet [cs1] already exists"},
		{"bad name", newFake, types.ChangeSetTypeCreate, "ethfleet-2025:06", tplV1, params("a"), "ValidationError", "changeSetName"},
		{"missing parameter", newFake, types.ChangeSetTypeCreate, "cs", tplV1, nil, "ValidationError", "Parameters: [Size] must have values"},
		{"unknown parameter", newFake, types.ChangeSetTypeCreate, "cs", tplV2, append(params("a"), types.Parameter{ParameterKey: aws.String("X")}), "ValidationError", "Parameters: [X] do not exist"},
		{"no resources", newFake, types.ChangeSetTypeCreate, "cs", "Resources: {}", nil, "ValidationError", "At least one Resources member"},
		{"not a template", newFake, types.ChangeSetTypeCreate, "cs", "[1, 2", nil, "ValidationError", "Template format error"},
		{"IAM without capabilities", newFake, types.ChangeSetTypeCreate, "cs", "Resources: {Role: {Type: AWS::IAM::Role}}", nil, "InsufficientCapabilitiesException", "CAPABILITY_IAM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.fake().CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
				StackName: aws.String("demo"), ChangeSetName: aws.String(tt.csName), ChangeSetType: tt.kind,
				TemplateBody: aws.String(tt.body), Parameters: tt.params,
			})
			wantCode(t, err, tt.code, tt.msg)
		})
	}
	t.Run("describe a stack that does not exist", func(t *testing.T) {
		_, err := newFake().DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("demo")})
		wantCode(t, err, "ValidationError", "Stack with id demo does not exist")
	})
	t.Run("describe a change set that does not exist", func(t *testing.T) {
		_, err := newFake().DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String("cs"), StackName: aws.String("demo")})
		wantCode(t, err, "ChangeSetNotFound", "ChangeSet [cs] does not exist")
	})
	t.Run("delete a stack that does not exist", func(t *testing.T) {
		if _, err := newFake().DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("demo")}); err != nil {
			t.Errorf("DeleteStack: %v, want no error", err)
		}
	})
	t.Run("a deleted stack is gone by name", func(t *testing.T) {
		f := withStack(run)()
		f.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("demo")})
		f.Settle()
		_, err := f.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("demo")})
		wantCode(t, err, "ValidationError", "does not exist")
	})
}

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an API error %s", err, code)
	}
	if apiErr.ErrorCode() != code || !strings.Contains(apiErr.ErrorMessage(), msg) {
		t.Errorf("err = %s: %s, want %s: …%s…", apiErr.ErrorCode(), apiErr.ErrorMessage(), code, msg)
	}
}

func TestObjectsListPages(t *testing.T) {
	o := &Objects{Buckets: []string{"b"}}
	for _, key := range []string{"p/c", "p/a", "q/a", "p/b", "p/d", "p"} {
		if _, err := o.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String(key), Body: strings.NewReader(key)}); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	pages := s3.NewListObjectsV2Paginator(o, &s3.ListObjectsV2Input{Bucket: aws.String("b"), Prefix: aws.String("p/"), MaxKeys: aws.Int32(3)})
	for n := 0; pages.HasMorePages(); n++ {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && (len(page.Contents) != 3 || !aws.ToBool(page.IsTruncated)) {
			t.Errorf("first page: %d keys, truncated %v", len(page.Contents), aws.ToBool(page.IsTruncated))
		}
		for _, c := range page.Contents {
			keys = append(keys, aws.ToString(c.Key))
		}
	}
	if got := strings.Join(keys, " "); got != "p/a p/b p/c p/d" {
		t.Errorf("listed %s", got)
	}
	if _, err := o.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("b"), Key: aws.String("p/zz")}); err != nil {
		t.Errorf("deleting a missing key: %v, want success as in S3", err)
	}
}
