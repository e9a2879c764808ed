package awsasg

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/smithy-go"
)

// fakeASG behaves as the Auto Scaling API documents for one group: a
// Describe of an unknown name lists nothing, a desired capacity outside
// MinSize..MaxSize is a ValidationError. Instances launched by a change
// are Pending until the next Describe, then InService; instances taken
// away are Terminating until the next Describe, then gone.
type fakeASG struct {
	mu       sync.Mutex
	name     string
	min, max int32
	desired  int32
	states   []types.LifecycleState
	sets     []autoscaling.SetDesiredCapacityInput
	setErr   error
}

func newFakeASG(name string, min, max, desired int32) *fakeASG {
	f := &fakeASG{name: name, min: min, max: max, desired: desired}
	for range desired {
		f.states = append(f.states, types.LifecycleStateInService)
	}
	return f
}

func validationError(format string, a ...any) error {
	return &smithy.GenericAPIError{Code: "ValidationError", Message: fmt.Sprintf(format, a...), Fault: smithy.FaultClient}
}

func (f *fakeASG) DescribeAutoScalingGroups(_ context.Context, in *autoscaling.DescribeAutoScalingGroupsInput, _ ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &autoscaling.DescribeAutoScalingGroupsOutput{}
	for _, n := range in.AutoScalingGroupNames {
		if n != f.name {
			continue
		}
		g := types.AutoScalingGroup{
			AutoScalingGroupName: aws.String(f.name),
			MinSize:              aws.Int32(f.min),
			MaxSize:              aws.Int32(f.max),
			DesiredCapacity:      aws.Int32(f.desired),
		}
		for i, s := range f.states {
			g.Instances = append(g.Instances, types.Instance{InstanceId: aws.String(fmt.Sprintf("i-%017d", i)), LifecycleState: s})
		}
		out.AutoScalingGroups = append(out.AutoScalingGroups, g)
	}
	f.converge()
	return out, nil
}

// converge moves every instance one state on: Pending → InService,
// Terminating → gone.
func (f *fakeASG) converge() {
	var next []types.LifecycleState
	for _, s := range f.states {
		switch s {
		case types.LifecycleStatePending:
			next = append(next, types.LifecycleStateInService)
		case types.LifecycleStateTerminating:
		default:
			next = append(next, s)
		}
	}
	f.states = next
}

func (f *fakeASG) SetDesiredCapacity(_ context.Context, in *autoscaling.SetDesiredCapacityInput, _ ...func(*autoscaling.Options)) (*autoscaling.SetDesiredCapacityOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sets = append(f.sets, *in)
	if f.setErr != nil {
		return nil, f.setErr
	}
	if aws.ToString(in.AutoScalingGroupName) != f.name {
		return nil, validationError("AutoScalingGroup name not found - AutoScalingGroup '%s' not found", aws.ToString(in.AutoScalingGroupName))
	}
	n := aws.ToInt32(in.DesiredCapacity)
	switch {
	case n > f.max:
		return nil, validationError("New SetDesiredCapacity value %d is above max value %d for the AutoScalingGroup.", n, f.max)
	case n < f.min:
		return nil, validationError("New SetDesiredCapacity value %d is below min value %d for the AutoScalingGroup.", n, f.min)
	}
	f.desired = n
	live := 0
	for i, s := range f.states {
		if s == types.LifecycleStateTerminating {
			continue
		}
		if live >= int(n) {
			f.states[i] = types.LifecycleStateTerminating
		}
		live++
	}
	for ; live < int(n); live++ {
		f.states = append(f.states, types.LifecycleStatePending)
	}
	return &autoscaling.SetDesiredCapacityOutput{}, nil
}
