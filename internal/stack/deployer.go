package stack

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Defaults of a Deployer's zero fields.
const (
	DefaultPoll    = 5 * time.Second
	DefaultTimeout = 2 * time.Hour
)

// Clock tells the time and waits; tests pass one that does not sleep.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Deployer plans, applies and destroys stacks. Only API is required.
type Deployer struct {
	API API
	// Out receives the stack's events and a progress line (default
	// io.Discard). Live redraws the progress line in place, for a
	// terminal; otherwise it is printed as plain lines.
	Out  io.Writer
	Live bool
	// Clock (default the wall clock) paces the polls, Poll apart
	// (default DefaultPoll); a wait gives up after Timeout (default
	// DefaultTimeout).
	Clock   Clock
	Poll    time.Duration
	Timeout time.Duration
	// ReplaceRolledBack deletes a stack left in ROLLBACK_COMPLETE by a
	// failed create before creating it again; without it, Plan refuses.
	ReplaceRolledBack bool
}

// Stack is what to deploy.
type Stack struct {
	Name string
	// TemplateBody is the template, or TemplateURL where it was uploaded
	// (see Fit): one of the two.
	TemplateBody string
	TemplateURL  string
	Parameters   map[string]string
	Tags         map[string]string
}

// ChangeSet is a planned change set, ready to apply or discard.
type ChangeSet struct {
	StackName, StackID string
	// ID is the change set's ARN, Name its name (ethfleet-TIMESTAMP).
	ID, Name string
	// Create is true when the change set creates the stack.
	Create bool
	// NoChanges is true when the stack already matches: the change set
	// was deleted and there is nothing to apply.
	NoChanges bool
	Changes   []Change
}

// Change is one resource the change set adds, modifies or removes.
type Change struct {
	// Action is Add, Modify, Remove (or Import, Dynamic).
	Action    string
	LogicalID string
	Type      string
	// Replacement is True, False or Conditional for a Modify.
	Replacement string
}

// Output is one output of a deployed stack.
type Output struct {
	Key, Value, Export, Description string
}

// Result is how an applied change set ended.
type Result struct {
	Status  string
	Outputs []Output
}

func (d *Deployer) out() io.Writer {
	if d.Out == nil {
		return io.Discard
	}
	return d.Out
}

func (d *Deployer) clock() Clock {
	if d.Clock == nil {
		return wallClock{}
	}
	return d.Clock
}

// pause waits one poll interval, or returns an error when the wait that
// began at start has lasted longer than the timeout.
func (d *Deployer) pause(ctx context.Context, start time.Time, what string) error {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if d.clock().Now().Sub(start) >= timeout {
		return fmt.Errorf("stack: gave up waiting for %s after %s (it carries on in CloudFormation)", what, timeout)
	}
	poll := d.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	select {
	case <-ctx.Done():
		return fmt.Errorf("stack: waiting for %s: %w", what, ctx.Err())
	case <-d.clock().After(poll):
		return nil
	}
}

// describe returns the stack named or identified by name, or nil when
// it does not exist.
func (d *Deployer) describe(ctx context.Context, name string) (*types.Stack, error) {
	out, err := d.API.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stack: describe %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	return &out.Stacks[0], nil
}
