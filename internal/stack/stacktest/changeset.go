package stacktest

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// NoChangesReason is the status reason of a change set that failed
// because the stack already matches.
const NoChangesReason = "The submitted information didn't contain changes. Submit different information to create a change set."

var changeSetName = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

// fakeChangeSet is one change set of a stack.
type fakeChangeSet struct {
	id, name string
	kind     types.ChangeSetType
	status   types.ChangeSetStatus
	exec     types.ExecutionStatus
	reason   string
	created  time.Time
	template *template
	params   map[string]string
	tags     []types.Tag
	changes  []types.Change
}

// CreateChangeSet computes a change set in a few steps: CREATE_PENDING,
// CREATE_IN_PROGRESS, then CREATE_COMPLETE or FAILED. A CREATE change set
// for a new stack makes the stack, in REVIEW_IN_PROGRESS.
func (f *Fake) CreateChangeSet(ctx context.Context, in *cloudformation.CreateChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, stackName := aws.ToString(in.ChangeSetName), aws.ToString(in.StackName)
	if !changeSetName.MatchString(name) {
		return nil, validationError("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	body, err := f.templateOf(in.TemplateBody, in.TemplateURL)
	if err != nil {
		return nil, err
	}
	t, err := parseTemplate(body)
	if err != nil {
		return nil, err
	}
	params, err := bindParameters(t, in.Parameters)
	if err != nil {
		return nil, err
	}
	if err := checkCapabilities(t, in.Capabilities); err != nil {
		return nil, err
	}
	s := f.find(stackName)
	switch {
	case in.ChangeSetType == types.ChangeSetTypeCreate && s == nil:
		s = f.newStack(stackName)
	case in.ChangeSetType == types.ChangeSetTypeCreate && s.status != types.StackStatusReviewInProgress:
		return nil, &types.AlreadyExistsException{Message: aws.String(fmt.Sprintf("Stack [%s] already exists and cannot be created again with the changeSet [%s].", stackName, name))}
	case in.ChangeSetType == types.ChangeSetTypeCreate:
	case s == nil:
		return nil, validationError("Stack [%s] does not exist", stackName)
	case s.busy() || s.status == types.StackStatusReviewInProgress || s.status == types.StackStatusRollbackComplete ||
		strings.HasSuffix(string(s.status), "_FAILED") || s.status == types.StackStatusDeleteComplete:
		return nil, validationError("Stack:%s is in %s state and can not be updated.", s.id, s.status)
	}
	if slices.ContainsFunc(s.changeSets, func(c *fakeChangeSet) bool { return c.name == name }) {
		return nil, &types.AlreadyExistsException{Message: aws.String(fmt.Sprintf("ChangeSet [%s] already exists", name))}
	}
	cs := &fakeChangeSet{
		id:   "arn:aws:cloudformation:" + Region + ":" + Account + ":changeSet/" + name + "/" + f.nextID(),
		name: name, kind: in.ChangeSetType, status: types.ChangeSetStatusCreatePending, exec: types.ExecutionStatusUnavailable,
		created: f.now(), template: t, params: params, tags: in.Tags,
	}
	if cs.kind == "" {
		cs.kind = types.ChangeSetTypeUpdate
	}
	s.changeSets = append(s.changeSets, cs)
	changes := f.diff(s, t, params)
	s.queue = append(s.queue,
		func() { cs.status = types.ChangeSetStatusCreateInProgress },
		func() {
			if len(changes) == 0 {
				cs.status, cs.reason = types.ChangeSetStatusFailed, NoChangesReason
				return
			}
			cs.status, cs.exec, cs.changes = types.ChangeSetStatusCreateComplete, types.ExecutionStatusAvailable, changes
		})
	return &cloudformation.CreateChangeSetOutput{Id: aws.String(cs.id), StackId: aws.String(s.id)}, nil
}

// bindParameters checks the parameters given against the template's.
func bindParameters(t *template, given []types.Parameter) (map[string]string, error) {
	params := map[string]string{}
	for _, p := range given {
		key := aws.ToString(p.ParameterKey)
		if _, ok := t.params[key]; !ok {
			return nil, validationError("Parameters: [%s] do not exist in the template", key)
		}
		params[key] = aws.ToString(p.ParameterValue)
	}
	var missing []string
	for key, hasDefault := range t.params {
		if _, ok := params[key]; !ok && !hasDefault {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, validationError("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	return params, nil
}

// checkCapabilities wants CAPABILITY_IAM or CAPABILITY_NAMED_IAM for a
// template with IAM resources.
func checkCapabilities(t *template, caps []types.Capability) error {
	iam := slices.ContainsFunc(t.resources, func(r resource) bool { return strings.HasPrefix(r.typ, "AWS::IAM::") })
	if iam && !slices.Contains(caps, types.CapabilityCapabilityIam) && !slices.Contains(caps, types.CapabilityCapabilityNamedIam) {
		return &types.InsufficientCapabilitiesException{Message: aws.String("Requires capabilities : [CAPABILITY_IAM]")}
	}
	return nil
}

// diff lists what deploying t with params changes in s: resources to add
// and modify in the new template's order, then those to remove. A
// resource is modified when its definition changed or it names a
// parameter whose value changed.
func (f *Fake) diff(s *fakeStack, t *template, params map[string]string) []types.Change {
	old := s.template
	if old == nil {
		old = &template{}
	}
	var changed []string
	for key, v := range params {
		if was, ok := s.params[key]; ok && was != v {
			changed = append(changed, key)
		}
	}
	var changes []types.Change
	add := func(r resource, action types.ChangeAction, replacement types.Replacement) {
		rc := &types.ResourceChange{Action: action, LogicalResourceId: aws.String(r.id), ResourceType: aws.String(r.typ), Replacement: replacement}
		if p := s.physical[r.id]; p != "" {
			rc.PhysicalResourceId = aws.String(p)
		}
		changes = append(changes, types.Change{Type: types.ChangeTypeResource, ResourceChange: rc})
	}
	for _, r := range t.resources {
		was, ok := old.resource(r.id)
		switch {
		case !ok:
			add(r, types.ChangeActionAdd, "")
		case was.body != r.body || slices.ContainsFunc(changed, func(p string) bool { return strings.Contains(r.body, p) }):
			add(r, types.ChangeActionModify, cmpOr(f.replacements[r.id], types.ReplacementFalse))
		}
	}
	for _, r := range old.resources {
		if _, ok := t.resource(r.id); !ok {
			add(r, types.ChangeActionRemove, "")
		}
	}
	return changes
}

func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// findChangeSet finds a change set by ARN, or by name in the stack named.
func (f *Fake) findChangeSet(name, stackName *string) (*fakeStack, *fakeChangeSet, error) {
	for _, s := range f.stacks {
		if stackName != nil && s != f.find(*stackName) {
			continue
		}
		for _, cs := range s.changeSets {
			if cs.id == aws.ToString(name) || stackName != nil && cs.name == aws.ToString(name) {
				return s, cs, nil
			}
		}
	}
	return nil, nil, &types.ChangeSetNotFoundException{Message: aws.String(fmt.Sprintf("ChangeSet [%s] does not exist", aws.ToString(name)))}
}

// DescribeChangeSet describes a change set and its changes.
func (f *Fake) DescribeChangeSet(ctx context.Context, in *cloudformation.DescribeChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.step()
	s, cs, err := f.findChangeSet(in.ChangeSetName, in.StackName)
	if err != nil {
		return nil, err
	}
	out := &cloudformation.DescribeChangeSetOutput{
		ChangeSetId: aws.String(cs.id), ChangeSetName: aws.String(cs.name), StackId: aws.String(s.id), StackName: aws.String(s.name),
		Status: cs.status, ExecutionStatus: cs.exec, CreationTime: aws.Time(cs.created), Changes: cs.changes, Tags: cs.tags,
	}
	if cs.reason != "" {
		out.StatusReason = aws.String(cs.reason)
	}
	for _, k := range slices.Sorted(maps.Keys(cs.params)) {
		out.Parameters = append(out.Parameters, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(cs.params[k])})
	}
	return out, nil
}

// DeleteChangeSet deletes a change set that is not being executed.
func (f *Fake) DeleteChangeSet(ctx context.Context, in *cloudformation.DeleteChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.DeleteChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, cs, err := f.findChangeSet(in.ChangeSetName, in.StackName)
	if err != nil {
		return nil, err
	}
	if cs.exec == types.ExecutionStatusExecuteInProgress {
		return nil, &types.InvalidChangeSetStatusException{Message: aws.String(fmt.Sprintf("Cannot delete ChangeSet [%s] in status %s", cs.id, cs.exec))}
	}
	s.changeSets = slices.DeleteFunc(s.changeSets, func(c *fakeChangeSet) bool { return c == cs })
	return &cloudformation.DeleteChangeSetOutput{}, nil
}

// ExecuteChangeSet starts running an AVAILABLE change set.
func (f *Fake) ExecuteChangeSet(ctx context.Context, in *cloudformation.ExecuteChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, cs, err := f.findChangeSet(in.ChangeSetName, in.StackName)
	if err != nil {
		return nil, err
	}
	if cs.exec != types.ExecutionStatusAvailable {
		return nil, &types.InvalidChangeSetStatusException{Message: aws.String(fmt.Sprintf("ChangeSet [%s] cannot be executed in its current execution status of [%s]", cs.id, cs.exec))}
	}
	if s.busy() {
		return nil, validationError("Stack:%s is in %s state and can not be updated.", s.id, s.status)
	}
	f.execute(s, cs)
	return &cloudformation.ExecuteChangeSetOutput{}, nil
}
