package stack

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// stackType is the resource type of a stack's events about itself.
const stackType = "AWS::CloudFormation::Stack"

// eventFeed reads a stack's new events: DescribeStackEvents pages them
// newest first, so each read stops at the newest event already known.
type eventFeed struct {
	api     API
	stackID string
	// stop is the newest event before the feed began; nothing from
	// before the operation is shown.
	stop string
	seen map[string]bool
	// events are every event read so far, oldest first.
	events []types.StackEvent
}

// startFeed notes the stack's newest event, so that the feed returns
// only what happens after this call.
func startFeed(ctx context.Context, api API, stackID string) (*eventFeed, error) {
	out, err := api.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stackID)})
	if err != nil {
		return nil, fmt.Errorf("stack: events of %s: %w", stackID, err)
	}
	f := &eventFeed{api: api, stackID: stackID, seen: map[string]bool{}}
	if len(out.StackEvents) > 0 {
		f.stop = aws.ToString(out.StackEvents[0].EventId)
	}
	return f, nil
}

// next returns the events since the last call, oldest first, each once.
func (f *eventFeed) next(ctx context.Context) ([]types.StackEvent, error) {
	var fresh []types.StackEvent
	var token *string
	for {
		out, err := f.api.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(f.stackID), NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("stack: events of %s: %w", f.stackID, err)
		}
		known := false
		for _, ev := range out.StackEvents {
			id := aws.ToString(ev.EventId)
			if id == f.stop || f.seen[id] {
				known = true
				break
			}
			fresh = append(fresh, ev)
		}
		if known || out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	slices.Reverse(fresh)
	for _, ev := range fresh {
		f.seen[aws.ToString(ev.EventId)] = true
	}
	f.events = append(f.events, fresh...)
	return fresh, nil
}

// settled reports whether the stack has reached a status it stays in and
// the feed has seen the stack's own event for it (a status read just
// after ExecuteChangeSet may still be the previous one).
func (f *eventFeed) settled(st *types.Stack) bool {
	if strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") {
		return false
	}
	return slices.ContainsFunc(f.events, func(ev types.StackEvent) bool {
		return isStackEvent(ev) && ev.ResourceStatus == types.ResourceStatus(st.StackStatus)
	})
}

func isStackEvent(ev types.StackEvent) bool {
	return aws.ToString(ev.ResourceType) == stackType && aws.ToString(ev.PhysicalResourceId) == aws.ToString(ev.StackId)
}

// isDone reports whether a resource event ends the resource's part of
// the operation.
func isDone(ev types.StackEvent) bool {
	s := string(ev.ResourceStatus)
	return !isStackEvent(ev) && (strings.HasSuffix(s, "_COMPLETE") || ev.ResourceStatus == types.ResourceStatusDeleteSkipped)
}

// explain says why an operation failed: the first resource that failed
// for a reason of its own (not the cascade of "Resource creation
// cancelled" that follows), else the stack's status reason.
func explain(st *types.Stack, events []types.StackEvent) string {
	var first *types.StackEvent
	for i, ev := range events {
		if isStackEvent(ev) || !strings.HasSuffix(string(ev.ResourceStatus), "_FAILED") {
			continue
		}
		if !strings.Contains(aws.ToString(ev.ResourceStatusReason), "cancelled") {
			return failure(ev)
		}
		if first == nil {
			first = &events[i]
		}
	}
	if first != nil {
		return failure(*first)
	}
	if st != nil && aws.ToString(st.StackStatusReason) != "" {
		return aws.ToString(st.StackStatusReason)
	}
	return "CloudFormation gave no reason"
}

func failure(ev types.StackEvent) string {
	return fmt.Sprintf("%s (%s) %s: %s", aws.ToString(ev.LogicalResourceId), aws.ToString(ev.ResourceType),
		ev.ResourceStatus, aws.ToString(ev.ResourceStatusReason))
}
