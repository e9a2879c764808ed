package stacktest

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// fakeStack is one stack and what it runs.
type fakeStack struct {
	f        *Fake
	id, name string
	status   types.StackStatus
	reason   string
	created  time.Time
	updated  *time.Time
	// template and params are what was last deployed (nil before the
	// first create completes); physical names each deployed resource.
	template *template
	params   map[string]string
	tags     []types.Tag
	physical map[string]string
	outputs  []types.Output
	// events are oldest first.
	events     []types.StackEvent
	changeSets []*fakeChangeSet
	// queue holds the steps of the operation under way.
	queue []func()
}

func (f *Fake) newStack(name string) *fakeStack {
	s := &fakeStack{
		f: f, name: name, created: f.now(), physical: map[string]string{},
		id: "arn:aws:cloudformation:" + Region + ":" + Account + ":stack/" + name + "/" + f.nextID(),
	}
	f.stacks = append(f.stacks, s)
	s.setStatus(types.StackStatusReviewInProgress, "User Initiated")
	return s
}

func (s *fakeStack) describe() types.Stack {
	st := types.Stack{
		StackId: aws.String(s.id), StackName: aws.String(s.name), StackStatus: s.status,
		CreationTime: aws.Time(s.created), LastUpdatedTime: s.updated, Tags: s.tags,
		Capabilities: []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam},
	}
	if s.reason != "" {
		st.StackStatusReason = aws.String(s.reason)
	}
	if s.status == types.StackStatusCreateComplete || s.status == types.StackStatusUpdateComplete {
		st.Outputs = s.outputs
	}
	for _, k := range slices.Sorted(maps.Keys(s.params)) {
		st.Parameters = append(st.Parameters, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(s.params[k])})
	}
	return st
}

// busy reports whether an operation is under way that keeps the stack
// from taking another.
func (s *fakeStack) busy() bool {
	return strings.HasSuffix(string(s.status), "_IN_PROGRESS") && s.status != types.StackStatusReviewInProgress
}

func (s *fakeStack) newestFirst() []types.StackEvent {
	events := slices.Clone(s.events)
	slices.Reverse(events)
	return events
}

// setStatus changes the stack's status and records the stack's event.
func (s *fakeStack) setStatus(status types.StackStatus, reason string) {
	s.status, s.reason = status, reason
	s.record(s.name, "AWS::CloudFormation::Stack", s.id, types.ResourceStatus(status), reason)
}

// resourceEvent records an event of a resource.
func (s *fakeStack) resourceEvent(r resource, status types.ResourceStatus, reason string) {
	if s.physical[r.id] == "" && status == types.ResourceStatusCreateInProgress {
		s.physical[r.id] = s.name + "-" + r.id + "-" + strings.ToUpper(s.f.nextID()[:8])
	}
	s.record(r.id, r.typ, s.physical[r.id], status, reason)
}

func (s *fakeStack) record(logicalID, typ, physicalID string, status types.ResourceStatus, reason string) {
	ev := types.StackEvent{
		EventId: aws.String(s.f.nextID()), StackId: aws.String(s.id), StackName: aws.String(s.name),
		Timestamp: aws.Time(s.f.now()), LogicalResourceId: aws.String(logicalID), ResourceType: aws.String(typ),
		ResourceStatus: status,
	}
	if physicalID != "" {
		ev.PhysicalResourceId = aws.String(physicalID)
	}
	if reason != "" {
		ev.ResourceStatusReason = aws.String(reason)
	}
	s.events = append(s.events, ev)
}

// ref resolves a Ref in the deployed template.
func (s *fakeStack) ref(name string) string {
	switch {
	case name == "AWS::StackName":
		return s.name
	case name == "AWS::StackId":
		return s.id
	case name == "AWS::Region":
		return Region
	case name == "AWS::AccountId":
		return Account
	case s.physical[name] != "":
		return s.physical[name]
	}
	return s.params[name]
}

// computeOutputs evaluates the deployed template's outputs.
func (s *fakeStack) computeOutputs() {
	s.outputs = nil
	for _, o := range s.template.outputs {
		out := types.Output{OutputKey: aws.String(o.key), OutputValue: aws.String(eval(o.value, s.ref))}
		if o.export != nil {
			out.ExportName = aws.String(eval(o.export, s.ref))
		}
		if o.description != "" {
			out.Description = aws.String(o.description)
		}
		s.outputs = append(s.outputs, out)
	}
}
