package stacktest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/ethfleet/ethfleet/internal/stack"
)

// Where the fake's ARNs say it runs.
const (
	Region  = "us-east-1"
	Account = "123456789012"
)

// Fake is an in-memory CloudFormation. Every Describe* call first moves
// each stack's operation (a change set being computed, executed, a
// delete) one step on: one event or one status change. Settle runs every
// operation to its end.
type Fake struct {
	// Clock stamps events and change sets (default the wall clock).
	Clock stack.Clock
	// EventsPageSize is how many events a DescribeStackEvents page holds
	// (default 100, as CloudFormation's).
	EventsPageSize int
	// Objects is the S3 a TemplateURL is read from (nil: none).
	Objects *Objects

	mu sync.Mutex
	// stacks are every stack ever created, deleted ones too, oldest first.
	stacks       []*fakeStack
	failures     map[string]string
	replacements map[string]types.Replacement
	seq          int
	held         bool
}

var _ stack.API = (*Fake)(nil)

// Fail makes creating or updating the resource logicalID fail with
// reason, from the next operation on; an empty reason lets it succeed
// again. Deleting it still succeeds (see FailDelete).
func (f *Fake) Fail(logicalID, reason string) { f.setFailure(logicalID, reason) }

// FailDelete makes deleting the resource logicalID fail with reason.
func (f *Fake) FailDelete(logicalID, reason string) { f.setFailure("delete:"+logicalID, reason) }

func (f *Fake) setFailure(key, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures == nil {
		f.failures = map[string]string{}
	}
	if reason == "" {
		delete(f.failures, key)
		return
	}
	f.failures[key] = reason
}

// Replace says how a Modify of logicalID replaces it (default False).
func (f *Fake) Replace(logicalID string, r types.Replacement) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.replacements == nil {
		f.replacements = map[string]types.Replacement{}
	}
	f.replacements[logicalID] = r
}

// Hold stops (on) or resumes the operations under way, as if
// CloudFormation were slow: while held, Describe* calls move nothing.
func (f *Fake) Hold(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = on
}

// Settle runs every operation under way to its end, held or not.
func (f *Fake) Settle() {
	f.mu.Lock()
	defer f.mu.Unlock()
	held := f.held
	f.held = false
	for f.step() {
	}
	f.held = held
}

// step moves every stack's operation one step on and reports whether any
// moved.
func (f *Fake) step() bool {
	if f.held {
		return false
	}
	moved := false
	for _, s := range f.stacks {
		if len(s.queue) > 0 {
			next := s.queue[0]
			s.queue = s.queue[1:]
			next()
			moved = true
		}
	}
	return moved
}

func (f *Fake) now() time.Time {
	if f.Clock == nil {
		return time.Now().UTC()
	}
	return f.Clock.Now().UTC()
}

func (f *Fake) nextID() string {
	f.seq++
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", f.seq, f.seq)
}

// find returns the stack name names (the live one) or ARN identifies
// (deleted ones too), or nil.
func (f *Fake) find(name string) *fakeStack {
	for i := len(f.stacks) - 1; i >= 0; i-- {
		s := f.stacks[i]
		if s.id == name || s.name == name && s.status != types.StackStatusDeleteComplete {
			return s
		}
	}
	return nil
}

func (f *Fake) mustFind(name *string) (*fakeStack, error) {
	if s := f.find(aws.ToString(name)); s != nil {
		return s, nil
	}
	return nil, validationError("Stack with id %s does not exist", aws.ToString(name))
}

// DescribeStacks describes one stack, or every live one without a name.
func (f *Fake) DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.step()
	out := &cloudformation.DescribeStacksOutput{}
	if in.StackName == nil {
		for _, s := range f.stacks {
			if s.status != types.StackStatusDeleteComplete {
				out.Stacks = append(out.Stacks, s.describe())
			}
		}
		return out, nil
	}
	s, err := f.mustFind(in.StackName)
	if err != nil {
		return nil, err
	}
	out.Stacks = []types.Stack{s.describe()}
	return out, nil
}

// DescribeStackEvents pages a stack's events, newest first.
func (f *Fake) DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.step()
	s, err := f.mustFind(in.StackName)
	if err != nil {
		return nil, err
	}
	size := f.EventsPageSize
	if size <= 0 {
		size = 100
	}
	// The token is the id of the first event of the next page.
	from := 0
	if in.NextToken != nil {
		from = -1
		for i, ev := range s.newestFirst() {
			if aws.ToString(ev.EventId) == *in.NextToken {
				from = i
			}
		}
		if from < 0 {
			return nil, validationError("Invalid NextToken")
		}
	}
	events := s.newestFirst()[from:]
	out := &cloudformation.DescribeStackEventsOutput{StackEvents: events}
	if len(events) > size {
		out.StackEvents = events[:size]
		out.NextToken = events[size].EventId
	}
	return out, nil
}

// DeleteStack starts deleting a stack; a stack that does not exist is no
// error, as in CloudFormation.
func (f *Fake) DeleteStack(ctx context.Context, in *cloudformation.DeleteStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.find(aws.ToString(in.StackName))
	if s == nil || s.status == types.StackStatusDeleteComplete || s.status == types.StackStatusDeleteInProgress {
		return &cloudformation.DeleteStackOutput{}, nil
	}
	if s.busy() {
		return nil, validationError("Stack [%s] cannot be deleted while in status %s", s.name, s.status)
	}
	f.deleteStack(s)
	return &cloudformation.DeleteStackOutput{}, nil
}

func validationError(format string, args ...any) error {
	return &smithy.GenericAPIError{Code: "ValidationError", Message: fmt.Sprintf(format, args...), Fault: smithy.FaultClient}
}
