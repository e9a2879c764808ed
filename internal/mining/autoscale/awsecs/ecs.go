package awsecs

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// API is the part of the ECS client the provider uses; *ecs.Client has
// it.
type API interface {
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, opts ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, opts ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
}

// Provider scales one ECS service.
type Provider struct {
	api              API
	cluster, service string
}

// New returns a provider for service in cluster.
func New(api API, cluster, service string) *Provider {
	return &Provider{api: api, cluster: cluster, service: service}
}

// Current returns the service's desiredCount and runningCount.
func (p *Provider) Current(ctx context.Context) (desired, running int, err error) {
	out, err := p.api.DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster:  aws.String(p.cluster),
		Services: []string{p.service},
	})
	if err != nil {
		return 0, 0, p.errorf("%w", err)
	}
	for _, f := range out.Failures {
		return 0, 0, p.errorf("%s %s", aws.ToString(f.Reason), aws.ToString(f.Detail))
	}
	if len(out.Services) == 0 {
		return 0, 0, p.errorf("not found")
	}
	s := out.Services[0]
	if status := aws.ToString(s.Status); status != "ACTIVE" {
		return 0, 0, p.errorf("status %s", status)
	}
	return int(s.DesiredCount), int(s.RunningCount), nil
}

// SetDesired sets the service's desired count to n.
func (p *Provider) SetDesired(ctx context.Context, n int) error {
	if n < 0 {
		return p.errorf("%d tasks", n)
	}
	_, err := p.api.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster:      aws.String(p.cluster),
		Service:      aws.String(p.service),
		DesiredCount: aws.Int32(int32(n)),
	})
	if err != nil {
		return p.errorf("update desired count %d: %w", n, err)
	}
	return nil
}

func (p *Provider) errorf(format string, a ...any) error {
	return fmt.Errorf("ecs service %s/%s: "+format, append([]any{p.cluster, p.service}, a...)...)
}
