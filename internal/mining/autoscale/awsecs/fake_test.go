package awsecs

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// fakeECS behaves as the ECS API documents for one service: an unknown
// cluster is a ClusterNotFoundException; DescribeServices lists an
// unknown service under failures with reason MISSING; UpdateService of an
// unknown service is a ServiceNotFoundException, of a draining or
// inactive one a ServiceNotActiveException. New tasks are pending until
// the next DescribeServices, then running.
type fakeECS struct {
	mu                       sync.Mutex
	cluster, service, status string
	desired, running         int32
	updates                  []ecs.UpdateServiceInput
	updateErr                error
}

func newFakeECS(cluster, service string, desired int32) *fakeECS {
	return &fakeECS{cluster: cluster, service: service, status: "ACTIVE", desired: desired, running: desired}
}

func (f *fakeECS) arn(service string) string {
	return fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:service/%s/%s", f.cluster, service)
}

func (f *fakeECS) DescribeServices(_ context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if aws.ToString(in.Cluster) != f.cluster {
		return nil, &types.ClusterNotFoundException{Message: aws.String("Cluster not found.")}
	}
	out := &ecs.DescribeServicesOutput{}
	for _, s := range in.Services {
		if s != f.service {
			out.Failures = append(out.Failures, types.Failure{Arn: aws.String(f.arn(s)), Reason: aws.String("MISSING")})
			continue
		}
		out.Services = append(out.Services, types.Service{
			ServiceName:  aws.String(f.service),
			ServiceArn:   aws.String(f.arn(f.service)),
			Status:       aws.String(f.status),
			DesiredCount: f.desired,
			RunningCount: f.running,
			PendingCount: max(f.desired-f.running, 0),
		})
	}
	f.running = f.desired // the tasks started or stopped by now
	return out, nil
}

func (f *fakeECS) UpdateService(_ context.Context, in *ecs.UpdateServiceInput, _ ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, *in)
	switch {
	case f.updateErr != nil:
		return nil, f.updateErr
	case aws.ToString(in.Cluster) != f.cluster:
		return nil, &types.ClusterNotFoundException{Message: aws.String("Cluster not found.")}
	case aws.ToString(in.Service) != f.service:
		return nil, &types.ServiceNotFoundException{Message: aws.String("Service not found.")}
	case f.status != "ACTIVE":
		return nil, &types.ServiceNotActiveException{Message: aws.String("Service was not ACTIVE.")}
	case in.DesiredCount != nil && *in.DesiredCount < 0:
		return nil, &types.InvalidParameterException{Message: aws.String("desiredCount can not be negative.")}
	}
	if in.DesiredCount != nil {
		f.desired = *in.DesiredCount
	}
	return &ecs.UpdateServiceOutput{Service: &types.Service{ServiceName: aws.String(f.service), DesiredCount: f.desired, RunningCount: f.running}}, nil
}
