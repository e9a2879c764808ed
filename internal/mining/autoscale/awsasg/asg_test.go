package awsasg

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/smithy-go"

	"github.com/ethfleet/ethfleet/internal/mining/autoscale/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, New(newFakeASG("miners", 0, 4, 1), "miners", 4, nil))
}

func TestHonorCooldownOff(t *testing.T) {
	f := newFakeASG("miners", 0, 4, 1)
	if err := New(f, "miners", 4, nil).SetDesired(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	if in := f.sets[0]; aws.ToBool(in.HonorCooldown) || in.HonorCooldown == nil {
		t.Errorf("HonorCooldown %v, want false", in.HonorCooldown)
	}
}

func TestClampedToTheGroup(t *testing.T) {
	tests := []struct {
		name      string
		min, max  int32
		maxMiners int
		set       int
		want      int32
		warn      string
	}{
		{"inside", 0, 8, 8, 5, 5, ""},
		{"above MaxSize", 0, 3, 8, 5, 3, "MaxSize is below maxMiners"},
		{"below MinSize", 2, 8, 8, 0, 2, "limits the miners"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			f := newFakeASG("miners", tt.min, tt.max, tt.min)
			p := New(f, "miners", tt.maxMiners, slog.New(slog.NewTextHandler(&logs, nil)))
			if err := p.SetDesired(t.Context(), tt.set); err != nil {
				t.Fatal(err)
			}
			if f.desired != tt.want {
				t.Errorf("desired capacity %d, want %d", f.desired, tt.want)
			}
			if tt.warn != "" && !strings.Contains(logs.String(), tt.warn) {
				t.Errorf("log %q lacks %q", logs.String(), tt.warn)
			}
		})
	}
}

func TestRunningIsInService(t *testing.T) {
	f := newFakeASG("miners", 0, 8, 2)
	p := New(f, "miners", 8, nil)
	if err := p.SetDesired(t.Context(), 5); err != nil {
		t.Fatal(err)
	}
	d, r, err := p.Current(t.Context()) // 2 InService, 3 Pending
	if err != nil || d != 5 || r != 2 {
		t.Errorf("Current = %d, %d, %v; want 5, 2", d, r, err)
	}
}

func TestErrors(t *testing.T) {
	// The fake refuses what Auto Scaling refuses.
	f := newFakeASG("miners", 0, 3, 1)
	_, err := f.SetDesiredCapacity(t.Context(), &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("miners"), DesiredCapacity: aws.Int32(5)})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationError" {
		t.Errorf("fake: desired above max: %v", err)
	}

	if _, _, err := New(f, "nope", 3, nil).Current(t.Context()); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown group: %v", err)
	}
	f.setErr = &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	err = New(f, "miners", 3, nil).SetDesired(t.Context(), 2)
	if !errors.As(err, &api) || api.ErrorCode() != "Throttling" {
		t.Errorf("SetDesired's error %v does not wrap the API's", err)
	}
}
