package k8sscale

import (
	"context"
	"fmt"
)

// Provider scales one Deployment.
type Provider struct {
	api                   ScaleAPI
	namespace, deployment string
}

// New returns a provider for the Deployment in namespace.
func New(api ScaleAPI, namespace, deployment string) *Provider {
	return &Provider{api: api, namespace: namespace, deployment: deployment}
}

// Current returns the Deployment's spec.replicas and status.replicas.
func (p *Provider) Current(ctx context.Context) (desired, running int, err error) {
	s, err := p.api.GetScale(ctx, p.namespace, p.deployment)
	if err != nil {
		return 0, 0, fmt.Errorf("deployment %s/%s: %w", p.namespace, p.deployment, err)
	}
	return int(s.Spec.Replicas), int(s.Status.Replicas), nil
}

// SetDesired sets the Deployment's replicas to n.
func (p *Provider) SetDesired(ctx context.Context, n int) error {
	if n < 0 {
		return fmt.Errorf("deployment %s/%s: %d replicas", p.namespace, p.deployment, n)
	}
	if _, err := p.api.SetReplicas(ctx, p.namespace, p.deployment, int32(n)); err != nil {
		return fmt.Errorf("deployment %s/%s: set replicas %d: %w", p.namespace, p.deployment, n, err)
	}
	return nil
}
