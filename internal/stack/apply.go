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

// Apply executes a planned change set and follows the stack's events
// until it settles. A stack that ends rolled back or failed is an error
// that names the resource that failed first and why.
func (d *Deployer) Apply(ctx context.Context, cs ChangeSet) (Result, error) {
	if cs.NoChanges {
		return Result{}, fmt.Errorf("stack: %s has no changes to apply", cs.StackName)
	}
	feed, err := startFeed(ctx, d.API, cs.StackID)
	if err != nil {
		return Result{}, err
	}
	if _, err := d.API.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String(cs.ID)}); err != nil {
		return Result{}, fmt.Errorf("stack: execute change set %s: %w", cs.Name, err)
	}
	st, err := d.follow(ctx, feed, cs.StackName, len(cs.Changes))
	if err != nil {
		return Result{}, err
	}
	if st == nil {
		return Result{}, fmt.Errorf("stack %s: deleted while the change set ran", cs.StackName)
	}
	res := Result{Status: string(st.StackStatus)}
	switch st.StackStatus {
	case types.StackStatusCreateComplete, types.StackStatusUpdateComplete:
		for _, o := range st.Outputs {
			res.Outputs = append(res.Outputs, Output{Key: aws.ToString(o.OutputKey), Value: aws.ToString(o.OutputValue),
				Export: aws.ToString(o.ExportName), Description: aws.ToString(o.Description)})
		}
		slices.SortFunc(res.Outputs, func(a, b Output) int { return strings.Compare(a.Key, b.Key) })
		return res, nil
	case types.StackStatusRollbackComplete, types.StackStatusUpdateRollbackComplete:
		return res, fmt.Errorf("stack %s rolled back (%s): %s", cs.StackName, st.StackStatus, explain(st, feed.events))
	}
	return res, fmt.Errorf("stack %s failed (%s): %s", cs.StackName, st.StackStatus, explain(st, feed.events))
}

// Destroy deletes the stack and follows its events until it is gone. A
// stack that does not exist is ErrNoStack.
func (d *Deployer) Destroy(ctx context.Context, name string) error {
	st, err := d.describe(ctx, name)
	if err != nil {
		return err
	}
	if st == nil || st.StackStatus == types.StackStatusDeleteComplete {
		return fmt.Errorf("stack %s: %w", name, ErrNoStack)
	}
	_, err = d.destroy(ctx, st)
	return err
}

func (d *Deployer) destroy(ctx context.Context, st *types.Stack) (*types.Stack, error) {
	name, id := aws.ToString(st.StackName), aws.ToString(st.StackId)
	feed, err := startFeed(ctx, d.API, id)
	if err != nil {
		return nil, err
	}
	if _, err := d.API.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(id)}); err != nil {
		return nil, fmt.Errorf("stack: delete %s: %w", name, err)
	}
	end, err := d.follow(ctx, feed, name, 0)
	if err != nil || end == nil || end.StackStatus == types.StackStatusDeleteComplete {
		return end, err
	}
	return end, fmt.Errorf("stack %s could not be deleted (%s): %s", name, end.StackStatus, explain(end, feed.events))
}

// follow shows the stack's events and progress until it settles and
// returns it as it ended, or nil when it no longer exists. total is how
// many resources the operation touches (0 when unknown).
func (d *Deployer) follow(ctx context.Context, feed *eventFeed, name string, total int) (*types.Stack, error) {
	show := &display{w: d.out(), live: d.Live, total: total}
	defer show.end()
	start := d.clock().Now()
	done := map[string]bool{}
	for {
		st, err := d.describe(ctx, feed.stackID)
		if err != nil {
			return nil, err
		}
		events, err := feed.next(ctx)
		if err != nil && st != nil {
			return nil, err
		}
		for _, ev := range events {
			show.event(ev)
			// What a rollback undoes is not progress.
			show.rollingBack = show.rollingBack || isStackEvent(ev) && strings.Contains(string(ev.ResourceStatus), "ROLLBACK")
			if isDone(ev) && !show.rollingBack {
				done[aws.ToString(ev.LogicalResourceId)] = true
			}
		}
		show.progress(len(done), d.clock().Now().Sub(start))
		if st == nil || feed.settled(st) {
			return st, nil
		}
		if err := d.pause(ctx, start, "stack "+name); err != nil {
			return nil, err
		}
	}
}
