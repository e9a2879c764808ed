package awsecs

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ethfleet/ethfleet/internal/mining/autoscale/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, New(newFakeECS("mining", "miners", 1), "mining", "miners"))
}

func TestRunningIsRunningCount(t *testing.T) {
	f := newFakeECS("mining", "miners", 1)
	p := New(f, "mining", "miners")
	if err := p.SetDesired(t.Context(), 4); err != nil {
		t.Fatal(err)
	}
	if d, r, err := p.Current(t.Context()); err != nil || d != 4 || r != 1 {
		t.Errorf("Current = %d, %d, %v; want 4, 1 (3 pending)", d, r, err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name             string
		cluster, service string
		status           string
		current, set     string // in the errors, "" for none
		setAs            any
	}{
		{name: "unknown service", cluster: "mining", service: "nope", current: "MISSING", set: "ServiceNotFoundException", setAs: new(*types.ServiceNotFoundException)},
		{name: "unknown cluster", cluster: "nope", service: "miners", current: "ClusterNotFoundException", set: "ClusterNotFoundException", setAs: new(*types.ClusterNotFoundException)},
		{name: "draining service", cluster: "mining", service: "miners", status: "DRAINING", current: "status DRAINING", set: "ServiceNotActiveException", setAs: new(*types.ServiceNotActiveException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeECS("mining", "miners", 1)
			if tt.status != "" {
				f.status = tt.status
			}
			p := New(f, tt.cluster, tt.service)
			if _, _, err := p.Current(t.Context()); err == nil || !strings.Contains(err.Error(), tt.current) {
				t.Errorf("Current: %v, want %q", err, tt.current)
			}
			err := p.SetDesired(t.Context(), 2)
			if err == nil || !strings.Contains(err.Error(), tt.set) || !errors.As(err, tt.setAs) {
				t.Errorf("SetDesired: %v, want %q", err, tt.set)
			}
		})
	}
}
