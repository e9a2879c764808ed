package stack

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// The status reasons of a change set that failed only because the stack
// already matches.
var noChangeReasons = []string{"didn't contain changes", "No updates are to be performed"}

// Plan creates a change set that brings the stack to s (whose template
// Fit has made one CloudFormation takes), waits until CloudFormation has
// computed it and returns its changes. When there is nothing to change,
// the change set is deleted and NoChanges is set.
func (d *Deployer) Plan(ctx context.Context, s Stack) (ChangeSet, error) {
	create, err := d.needsCreate(ctx, s.Name)
	if err != nil {
		return ChangeSet{}, err
	}
	cs := ChangeSet{StackName: s.Name, Create: create, Name: "ethfleet-" + d.clock().Now().UTC().Format("20060102T150405Z")}
	in := &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(s.Name),
		ChangeSetName: aws.String(cs.Name),
		ChangeSetType: types.ChangeSetTypeUpdate,
		TemplateBody:  optional(s.TemplateBody),
		TemplateURL:   optional(s.TemplateURL),
		Capabilities:  []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam},
		Description:   aws.String("ethfleet deploy"),
	}
	if create {
		in.ChangeSetType = types.ChangeSetTypeCreate
	}
	for _, k := range slices.Sorted(maps.Keys(s.Parameters)) {
		in.Parameters = append(in.Parameters, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(s.Parameters[k])})
	}
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(s.Tags[k])})
	}
	out, err := d.API.CreateChangeSet(ctx, in)
	if err != nil {
		return ChangeSet{}, fmt.Errorf("stack: create change set for %s: %w", s.Name, err)
	}
	cs.ID, cs.StackID = aws.ToString(out.Id), aws.ToString(out.StackId)
	return d.awaitChangeSet(ctx, cs)
}

// needsCreate tells a create from an update by the stack's status, and
// refuses a stack that cannot take a change set now.
func (d *Deployer) needsCreate(ctx context.Context, name string) (bool, error) {
	st, err := d.describe(ctx, name)
	if err != nil || st == nil {
		return true, err
	}
	status := string(st.StackStatus)
	switch {
	case st.StackStatus == types.StackStatusReviewInProgress:
		// An earlier create was planned but never executed.
		return true, nil
	case st.StackStatus == types.StackStatusRollbackComplete && d.ReplaceRolledBack:
		fmt.Fprintf(d.out(), "stack %s is ROLLBACK_COMPLETE after a failed create: deleting it first\n", name)
		if _, err := d.destroy(ctx, st); err != nil {
			return false, err
		}
		return true, nil
	case st.StackStatus == types.StackStatusRollbackComplete:
		return false, fmt.Errorf("stack %s is ROLLBACK_COMPLETE after a failed create and cannot be updated: delete it first (ethfleet destroy), or let deploy do it (--replace-rolled-back)", name)
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		return false, fmt.Errorf("stack %s is %s: wait until it finishes, then deploy again", name, status)
	case st.StackStatus == types.StackStatusRollbackFailed || st.StackStatus == types.StackStatusDeleteFailed:
		return false, fmt.Errorf("stack %s is %s (%s): it can only be deleted", name, status, aws.ToString(st.StackStatusReason))
	case st.StackStatus == types.StackStatusUpdateRollbackFailed:
		return false, fmt.Errorf("stack %s is UPDATE_ROLLBACK_FAILED (%s): fix the cause, then continue the rollback in the CloudFormation console", name, aws.ToString(st.StackStatusReason))
	}
	return false, nil
}

// awaitChangeSet waits until the change set is computed and reads its
// changes.
func (d *Deployer) awaitChangeSet(ctx context.Context, cs ChangeSet) (ChangeSet, error) {
	start := d.clock().Now()
	for {
		out, err := d.API.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(cs.ID)})
		if err != nil {
			return cs, fmt.Errorf("stack: describe change set %s: %w", cs.Name, err)
		}
		switch out.Status {
		case types.ChangeSetStatusCreateComplete:
			return d.readChanges(ctx, cs, out)
		case types.ChangeSetStatusFailed:
			return d.failedChangeSet(ctx, cs, aws.ToString(out.StatusReason))
		case types.ChangeSetStatusDeleteComplete, types.ChangeSetStatusDeleteFailed, types.ChangeSetStatusDeleteInProgress, types.ChangeSetStatusDeletePending:
			return cs, fmt.Errorf("stack: change set %s was deleted while it was being created", cs.Name)
		}
		if err := d.pause(ctx, start, "change set "+cs.Name); err != nil {
			return cs, err
		}
	}
}

// readChanges collects the changes of every page of a computed change set.
func (d *Deployer) readChanges(ctx context.Context, cs ChangeSet, out *cloudformation.DescribeChangeSetOutput) (ChangeSet, error) {
	for {
		for _, c := range out.Changes {
			if rc := c.ResourceChange; rc != nil {
				cs.Changes = append(cs.Changes, Change{
					Action: string(rc.Action), LogicalID: aws.ToString(rc.LogicalResourceId),
					Type: aws.ToString(rc.ResourceType), Replacement: string(rc.Replacement),
				})
			}
		}
		if out.NextToken == nil {
			return cs, nil
		}
		var err error
		out, err = d.API.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(cs.ID), NextToken: out.NextToken})
		if err != nil {
			return cs, fmt.Errorf("stack: describe change set %s: %w", cs.Name, err)
		}
	}
}

// failedChangeSet deletes a change set that failed; one that failed only
// because nothing changes is no error.
func (d *Deployer) failedChangeSet(ctx context.Context, cs ChangeSet, reason string) (ChangeSet, error) {
	if _, err := d.API.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(cs.ID)}); err != nil {
		return cs, fmt.Errorf("stack: delete change set %s: %w", cs.Name, err)
	}
	if slices.ContainsFunc(noChangeReasons, func(s string) bool { return strings.Contains(reason, s) }) {
		cs.NoChanges = true
		return cs, nil
	}
	return cs, fmt.Errorf("stack: change set %s for %s failed: %s", cs.Name, cs.StackName, reason)
}

// Discard deletes a planned change set without executing it. A change
// set that would have created the stack leaves an empty stack in
// REVIEW_IN_PROGRESS behind; Discard deletes that too.
func (d *Deployer) Discard(ctx context.Context, cs ChangeSet) error {
	if cs.NoChanges {
		return nil
	}
	if _, err := d.API.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(cs.ID)}); err != nil {
		return fmt.Errorf("stack: delete change set %s: %w", cs.Name, err)
	}
	if !cs.Create {
		return nil
	}
	st, err := d.describe(ctx, cs.StackID)
	if err != nil || st == nil || st.StackStatus != types.StackStatusReviewInProgress {
		return err
	}
	if _, err := d.API.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(cs.StackID)}); err != nil {
		return fmt.Errorf("stack: delete the empty stack %s: %w", cs.StackName, err)
	}
	return nil
}

// optional is nil for "", as the API wants a field left out.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
