package ebs_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ethfleet/ethfleet/internal/ebs"
	"github.com/ethfleet/ethfleet/internal/ebs/ebstest"
)

func TestCreateTags(t *testing.T) {
	tests := []struct {
		name                   string
		fleet, network, client string
		block                  uint64
		want                   string
	}{
		{"mainnet geth", "prod", "mainnet", "geth", 21_000_000,
			"ethfleet:fleet=prod ethfleet:network=mainnet ethfleet:client=geth ethfleet:block=21000000 Name=ethfleet-prod-mainnet-geth-21000000"},
		{"genesis", "dev", "devnet", "geth", 0,
			"ethfleet:fleet=dev ethfleet:network=devnet ethfleet:client=geth ethfleet:block=0 Name=ethfleet-dev-devnet-geth-0"},
		{"largest block", "a", "sepolia", "reth", math.MaxUint64,
			"ethfleet:fleet=a ethfleet:network=sepolia ethfleet:client=reth ethfleet:block=18446744073709551615 Name=ethfleet-a-sepolia-reth-18446744073709551615"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ebstest.New()
			vol := fake.AddVolume(zone, 500)
			s := &ebs.Snapshotter{API: fake, Fleet: tt.fleet, Network: tt.network, Client: tt.client}
			id, err := s.Create(t.Context(), vol, tt.block)
			if err != nil {
				t.Fatal(err)
			}
			ins := fake.CreateSnapshotInputs()
			if len(ins) != 1 {
				t.Fatalf("%d CreateSnapshot calls", len(ins))
			}
			in := ins[0]
			if aws.ToString(in.VolumeId) != vol {
				t.Errorf("VolumeId %q, want %q", aws.ToString(in.VolumeId), vol)
			}
			if len(in.TagSpecifications) != 1 || in.TagSpecifications[0].ResourceType != types.ResourceTypeSnapshot {
				t.Fatalf("TagSpecifications %+v, want one for snapshot", in.TagSpecifications)
			}
			if got := tagList(in.TagSpecifications[0].Tags); got != tt.want {
				t.Errorf("tags\n  %s\nwant\n  %s", got, tt.want)
			}
			snap, ok := fake.Snapshot(id)
			if !ok || snap.State != types.SnapshotStatePending || tagList(snap.Tags) != tt.want {
				t.Errorf("snapshot %s = %v %s %s; want it pending with the tags", id, ok, snap.State, tagList(snap.Tags))
			}
			if calls := fake.Calls(); !reflect.DeepEqual(calls, []string{"CreateSnapshot"}) {
				t.Errorf("calls %v: without SnapshotTimeout Create must not wait", calls)
			}
		})
	}
}

func TestCreateWaitsForCompleted(t *testing.T) {
	fake := ebstest.New()
	fake.SnapshotDescribes = 3
	fake.Lag = 1 // the first describe does not find it yet
	vol := fake.AddVolume(zone, 500)
	var log progressLog
	s := newSnapshotter(fake)
	s.SnapshotTimeout = 10 * time.Second
	s.OnProgress = log.add
	id, err := s.Create(t.Context(), vol, 7)
	if err != nil {
		t.Fatal(err)
	}
	if snap, _ := fake.Snapshot(id); snap.State != types.SnapshotStateCompleted {
		t.Errorf("state %s after Create returned, want completed", snap.State)
	}
	want := []string{id + " ", id + " pending 0%", id + " pending 25%", id + " pending 50%", id + " completed 100%"}
	if got := log.states(); !reflect.DeepEqual(got, want) {
		t.Errorf("progress\n  %q\nwant\n  %q", got, want)
	}
}

func TestCreateFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*ebstest.EC2, *ebs.Snapshotter) string // returns the volume
		wantErr []string
		wantIs  error
		wantID  bool // the snapshot's ID comes back with the error
	}{
		{
			name: "never completes",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter) string {
				f.SnapshotDescribes = -1
				s.SnapshotTimeout = 30 * time.Millisecond
				return f.AddVolume(zone, 500)
			},
			wantErr: []string{"timed out after 30ms waiting for snapshot snap-", "to complete: still pending at 0%"},
			wantIs:  ebs.ErrTimeout,
			wantID:  true,
		},
		{
			name: "snapshot fails",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter) string {
				s.SnapshotTimeout = time.Second
				f.SnapshotError = "Internal error"
				return f.AddVolume(zone, 500)
			},
			wantErr: []string{"failed: Internal error"},
			wantID:  true,
		},
		{
			name: "no such volume",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter) string {
				return "vol-0missing"
			},
			wantErr: []string{"ebs: snapshot vol-0missing at block 1: operation error EC2: CreateSnapshot", "InvalidVolume.NotFound"},
		},
		{
			name:    "no volume",
			setup:   func(f *ebstest.EC2, s *ebs.Snapshotter) string { return "" },
			wantErr: []string{"no volume ID"},
		},
		{
			name: "no fleet",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter) string {
				s.Fleet, s.Client = "", ""
				return f.AddVolume(zone, 1)
			},
			wantErr: []string{"no fleet name", "no client name"},
		},
		{
			name: "describe refused",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter) string {
				s.SnapshotTimeout = time.Second
				f.Fail("DescribeSnapshots", ebstest.APIError("DescribeSnapshots", "UnauthorizedOperation", "You are not authorized to perform this operation."))
				return f.AddVolume(zone, 1)
			},
			wantErr: []string{"describe snap-", "UnauthorizedOperation"},
			wantID:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ebstest.New()
			s := newSnapshotter(fake)
			vol := tt.setup(fake, s)
			id, err := s.Create(t.Context(), vol, 1)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Create = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Create succeeded")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if got := strings.HasPrefix(id, "snap-"); got != tt.wantID {
				t.Errorf("ID %q with the error, want one: %v", id, tt.wantID)
			}
		})
	}
}
