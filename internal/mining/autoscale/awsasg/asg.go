package awsasg

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
)

// API is the part of the Auto Scaling client the provider uses;
// *autoscaling.Client has it.
type API interface {
	DescribeAutoScalingGroups(ctx context.Context, in *autoscaling.DescribeAutoScalingGroupsInput, opts ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error)
	SetDesiredCapacity(ctx context.Context, in *autoscaling.SetDesiredCapacityInput, opts ...func(*autoscaling.Options)) (*autoscaling.SetDesiredCapacityOutput, error)
}

// Provider scales one Auto Scaling group.
type Provider struct {
	api       API
	group     string
	maxMiners int
	log       *slog.Logger

	warnOnce sync.Once
}

// New returns a provider for the group named group; maxMiners is the
// controller's, checked against the group's MaxSize.
func New(api API, group string, maxMiners int, log *slog.Logger) *Provider {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Provider{api: api, group: group, maxMiners: maxMiners, log: log}
}

// Current returns the group's desired capacity and its InService
// instances.
func (p *Provider) Current(ctx context.Context) (desired, running int, err error) {
	g, err := p.describe(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, i := range g.Instances {
		if i.LifecycleState == types.LifecycleStateInService {
			running++
		}
	}
	return int(aws.ToInt32(g.DesiredCapacity)), running, nil
}

// SetDesired sets the group's desired capacity to n, clamped to the
// group's size limits, without honouring the group's own cooldown (the
// controller keeps its own).
func (p *Provider) SetDesired(ctx context.Context, n int) error {
	if n < 0 {
		return fmt.Errorf("auto scaling group %s: %d instances", p.group, n)
	}
	g, err := p.describe(ctx)
	if err != nil {
		return err
	}
	lo, hi := int(aws.ToInt32(g.MinSize)), int(aws.ToInt32(g.MaxSize))
	if c := min(max(n, lo), hi); c != n {
		p.log.Warn("auto scaling group limits the miners", "group", p.group, "asked", n, "set", c, "min_size", lo, "max_size", hi)
		n = c
	}
	_, err = p.api.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{
		AutoScalingGroupName: aws.String(p.group),
		DesiredCapacity:      aws.Int32(int32(n)),
		HonorCooldown:        aws.Bool(false),
	})
	if err != nil {
		return fmt.Errorf("auto scaling group %s: set desired capacity %d: %w", p.group, n, err)
	}
	return nil
}

// describe returns the group, and warns once if its MaxSize is below
// maxMiners.
func (p *Provider) describe(ctx context.Context) (types.AutoScalingGroup, error) {
	out, err := p.api.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{
		AutoScalingGroupNames: []string{p.group},
	})
	if err != nil {
		return types.AutoScalingGroup{}, fmt.Errorf("auto scaling group %s: %w", p.group, err)
	}
	if len(out.AutoScalingGroups) == 0 {
		return types.AutoScalingGroup{}, fmt.Errorf("auto scaling group %s: not found", p.group)
	}
	g := out.AutoScalingGroups[0]
	if hi := int(aws.ToInt32(g.MaxSize)); hi < p.maxMiners {
		p.warnOnce.Do(func() {
			p.log.Warn("auto scaling group's MaxSize is below maxMiners: the group caps the miners", "group", p.group, "max_size", hi, "max_miners", p.maxMiners)
		})
	}
	return g, nil
}
