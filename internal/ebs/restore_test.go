package ebs_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ethfleet/ethfleet/internal/ebs"
	"github.com/ethfleet/ethfleet/internal/ebs/ebstest"
)

// restoreOptions are valid options for instance in zone.
func restoreOptions() ebs.RestoreOptions {
	return ebs.RestoreOptions{InstanceID: instance, AvailabilityZone: zone, IOPS: 6000, Throughput: 500, InitializationRate: 200}
}

func TestRestoreVolume(t *testing.T) {
	fake := ebstest.New()
	fake.VolumeDescribes = 2
	fake.AttachDescribes = 2
	fake.AddInstance(instance, zone, "/dev/xvda")
	ours(100, 0).add(fake)
	snap := ours(200, 1).add(fake)
	var log progressLog
	s := newSnapshotter(fake)
	s.OnProgress = log.add

	id, err := s.RestoreVolume(t.Context(), restoreOptions())
	if err != nil {
		t.Fatal(err)
	}

	v, ok := fake.Volume(id)
	if !ok || v.State != types.VolumeStateInUse || len(v.Attachments) != 1 {
		t.Fatalf("volume %s = %+v, want in use with one attachment", id, v)
	}
	if a := v.Attachments[0]; aws.ToString(a.InstanceId) != instance || aws.ToString(a.Device) != "/dev/sdf" || a.State != types.VolumeAttachmentStateAttached {
		t.Errorf("attachment %+v, want %s at /dev/sdf attached", a, instance)
	}
	if aws.ToString(v.SnapshotId) != snap || aws.ToString(v.AvailabilityZone) != zone || aws.ToInt32(v.Size) != 100 {
		t.Errorf("volume from %s in %s of %d GiB, want from %s in %s of 100 GiB", aws.ToString(v.SnapshotId), aws.ToString(v.AvailabilityZone), aws.ToInt32(v.Size), snap, zone)
	}

	ins := fake.CreateVolumeInputs()
	if len(ins) != 1 {
		t.Fatalf("%d CreateVolume calls", len(ins))
	}
	in := ins[0]
	if in.VolumeType != types.VolumeTypeGp3 || aws.ToInt32(in.Iops) != 6000 || aws.ToInt32(in.Throughput) != 500 ||
		aws.ToInt32(in.VolumeInitializationRate) != 200 || in.Size != nil || aws.ToString(in.AvailabilityZone) != zone {
		t.Errorf("CreateVolume %s %d IOPS %d MiB/s rate %d size %v in %s",
			in.VolumeType, aws.ToInt32(in.Iops), aws.ToInt32(in.Throughput), aws.ToInt32(in.VolumeInitializationRate), in.Size, aws.ToString(in.AvailabilityZone))
	}
	if tok := aws.ToString(in.ClientToken); tok == "" || len(tok) > 64 {
		t.Errorf("ClientToken %q, want 1–64 characters", tok)
	}
	wantTags := "ethfleet:fleet=prod ethfleet:network=mainnet ethfleet:client=geth ethfleet:block=200 Name=ethfleet-prod-mainnet-geth-200 ethfleet:snapshot=" + snap
	if len(in.TagSpecifications) != 1 || in.TagSpecifications[0].ResourceType != types.ResourceTypeVolume || tagList(in.TagSpecifications[0].Tags) != wantTags {
		t.Errorf("TagSpecifications %+v\nwant volume: %s", in.TagSpecifications, wantTags)
	}

	wantProgress := []string{id + " creating", id + " available", id + " in-use attaching", id + " in-use attached"}
	if got := log.states(); !reflect.DeepEqual(got, wantProgress) {
		t.Errorf("progress\n  %q\nwant\n  %q", got, wantProgress)
	}
	wantCalls := []string{
		"DescribeSnapshots", "CreateVolume",
		"DescribeVolumes", "DescribeVolumes", "DescribeVolumes", // creating, creating, available
		"AttachVolume",
		"DescribeVolumes", "DescribeVolumes", "DescribeVolumes", // attaching, attaching, attached
	}
	if got := fake.Calls(); !reflect.DeepEqual(got, wantCalls) {
		t.Errorf("calls\n  %v\nwant\n  %v", got, wantCalls)
	}
}

func TestRestoreVolumeDefaults(t *testing.T) {
	fake := ebstest.New()
	fake.Lag = 2 // the new volume is not found at first
	fake.AddInstance(instance, zone)
	ours(100, 0).add(fake)
	id, err := newSnapshotter(fake).RestoreVolume(t.Context(), ebs.RestoreOptions{InstanceID: instance, AvailabilityZone: zone, Device: "xvdg", SizeGiB: 300})
	if err != nil {
		t.Fatal(err)
	}
	in := fake.CreateVolumeInputs()[0]
	if in.Iops != nil || in.Throughput != nil || in.VolumeInitializationRate != nil || aws.ToInt32(in.Size) != 300 {
		t.Errorf("CreateVolume Iops %v Throughput %v rate %v Size %v; want EC2's defaults and 300 GiB", in.Iops, in.Throughput, in.VolumeInitializationRate, in.Size)
	}
	v, _ := fake.Volume(id)
	if aws.ToInt32(v.Iops) != 3000 || aws.ToInt32(v.Throughput) != 125 || aws.ToString(v.Attachments[0].Device) != "xvdg" {
		t.Errorf("volume %d IOPS %d MiB/s at %s", aws.ToInt32(v.Iops), aws.ToInt32(v.Throughput), aws.ToString(v.Attachments[0].Device))
	}
}

func TestRestoreVolumeRejectsSettings(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*ebs.RestoreOptions)
		calls   []string // EC2 calls made before refusing
		wantErr []string
	}{
		{"IOPS below gp3", func(o *ebs.RestoreOptions) { o.IOPS = 2999 }, nil, []string{"gp3 IOPS 2999 outside 3000–80000"}},
		{"IOPS above gp3", func(o *ebs.RestoreOptions) { o.IOPS, o.Throughput = 80001, 0 }, nil, []string{"gp3 IOPS 80001 outside 3000–80000"}},
		{"throughput below gp3", func(o *ebs.RestoreOptions) { o.Throughput = 124 }, nil, []string{"gp3 throughput 124 MiB/s outside 125–2000 MiB/s"}},
		{"throughput above gp3", func(o *ebs.RestoreOptions) { o.IOPS, o.Throughput = 80000, 2001 }, nil, []string{"gp3 throughput 2001 MiB/s outside 125–2000 MiB/s"}},
		{"throughput above IOPS/4", func(o *ebs.RestoreOptions) { o.IOPS, o.Throughput = 3999, 1000 }, nil,
			[]string{"gp3 throughput 1000 MiB/s needs at least 4000 IOPS (0.25 MiB/s per IOPS), have 3999"}},
		{"throughput above the default IOPS/4", func(o *ebs.RestoreOptions) { o.IOPS, o.Throughput = 0, 751 }, nil,
			[]string{"gp3 throughput 751 MiB/s needs at least 3004 IOPS (0.25 MiB/s per IOPS), have 3000"}},
		{"initialization rate below", func(o *ebs.RestoreOptions) { o.InitializationRate = 99 }, nil, []string{"volume initialization rate 99 MiB/s outside 100–300 MiB/s"}},
		{"initialization rate above", func(o *ebs.RestoreOptions) { o.InitializationRate = 301 }, nil, []string{"volume initialization rate 301 MiB/s outside 100–300 MiB/s"}},
		{"no instance or zone", func(o *ebs.RestoreOptions) { o.InstanceID, o.AvailabilityZone = "", "" }, nil, []string{"no instance ID", "no availability zone"}},
		{"not a device name", func(o *ebs.RestoreOptions) { o.Device = "sdf" }, nil, []string{`device "sdf" is not a device name`}},
		{"every problem at once", func(o *ebs.RestoreOptions) { o.IOPS, o.Throughput, o.InitializationRate = 100, 5000, 1 }, nil,
			[]string{"gp3 IOPS 100 outside", "gp3 throughput 5000 MiB/s outside", "needs at least 20000 IOPS", "initialization rate 1 MiB/s outside"}},
		{"smaller than the snapshot", func(o *ebs.RestoreOptions) { o.SizeGiB = 99 }, []string{"DescribeSnapshots"},
			[]string{"size 99 GiB is smaller than the snapshot's 100 GiB"}},
		{"above gp3 size", func(o *ebs.RestoreOptions) { o.SizeGiB = 65537 }, []string{"DescribeSnapshots"},
			[]string{"size 65537 GiB above the gp3 maximum of 65536 GiB"}},
		{"IOPS above 500 per GiB", func(o *ebs.RestoreOptions) { o.IOPS = 50001 }, []string{"DescribeSnapshots"},
			[]string{"gp3 IOPS 50001 need at least 101 GiB (500 IOPS per GiB), the volume has 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ebstest.New()
			fake.AddInstance(instance, zone)
			ours(100, 0).add(fake)
			o := restoreOptions()
			tt.change(&o)
			id, err := newSnapshotter(fake).RestoreVolume(t.Context(), o)
			if err == nil {
				t.Fatalf("RestoreVolume(%+v) = %s, want an error", o, id)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if got := fake.Calls(); !slices.Equal(got, tt.calls) {
				t.Errorf("calls %v, want %v", got, tt.calls)
			}
		})
	}
}

func TestRestoreVolumeFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *ebstest.EC2, s *ebs.Snapshotter, o *ebs.RestoreOptions)
		wantErr []string
		wantIs  error
		wantVol bool // the volume's ID comes back with the error
	}{
		{
			name:    "no snapshot",
			setup:   func(f *ebstest.EC2, s *ebs.Snapshotter, o *ebs.RestoreOptions) {},
			wantErr: []string{"ebs: restore volume for " + instance + " at /dev/sdf: no completed snapshot of fleet \"prod\""},
			wantIs:  ebs.ErrNoSnapshot,
		},
		{
			name: "only a pending snapshot",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter, o *ebs.RestoreOptions) {
				f.SnapshotDescribes = -1
				ours(100, 0).with(pending).add(f)
			},
			wantIs: ebs.ErrNoSnapshot,
		},
		{
			name: "volume never available",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter, o *ebs.RestoreOptions) {
				ours(100, 0).add(f)
				f.VolumeDescribes = -1
				s.VolumeTimeout = 30 * time.Millisecond
			},
			wantErr: []string{"timed out after 30ms waiting for volume vol-", "to become available: still creating"},
			wantIs:  ebs.ErrTimeout,
			wantVol: true,
		},
		{
			name: "attachment never attached",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter, o *ebs.RestoreOptions) {
				ours(100, 0).add(f)
				f.AttachDescribes = -1
				s.VolumeTimeout = 30 * time.Millisecond
			},
			wantErr: []string{"to be attached to " + instance + " at /dev/sdf: volume in-use, attachment attaching"},
			wantIs:  ebs.ErrTimeout,
			wantVol: true,
		},
		{
			name: "device taken",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter, o *ebs.RestoreOptions) {
				ours(100, 0).add(f)
				o.Device = "/dev/xvda"
			},
			wantErr: []string{"attach: operation error EC2: AttachVolume", "InvalidDevice.InUse"},
			wantVol: true,
		},
		{
			name: "instance in another zone",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter, o *ebs.RestoreOptions) {
				ours(100, 0).add(f)
				o.AvailabilityZone = "eu-west-1b"
			},
			wantErr: []string{"InvalidVolume.ZoneMismatch"},
			wantVol: true,
		},
		{
			name: "volume fails",
			setup: func(f *ebstest.EC2, s *ebs.Snapshotter, o *ebs.RestoreOptions) {
				ours(100, 0).add(f)
				f.Fail("CreateVolume", ebstest.APIError("CreateVolume", "InsufficientVolumeCapacity", "There is not enough capacity to fulfill your EBS volume provision request."))
			},
			wantErr: []string{"InsufficientVolumeCapacity"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ebstest.New()
			fake.AddInstance(instance, zone, "/dev/xvda")
			s := newSnapshotter(fake)
			o := restoreOptions()
			tt.setup(fake, s, &o)
			id, err := s.RestoreVolume(t.Context(), o)
			if err == nil {
				t.Fatalf("RestoreVolume = %s, want an error", id)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if got := strings.HasPrefix(id, "vol-"); got != tt.wantVol {
				t.Errorf("volume %q with the error, want one: %v", id, tt.wantVol)
			}
		})
	}
}

// A second RestoreVolume on the same instance, after a failed attach or
// after success, finds the same volume through the client token.
func TestRestoreVolumeAgain(t *testing.T) {
	fake := ebstest.New()
	fake.AddInstance(instance, zone)
	ours(100, 0).add(fake)
	s := newSnapshotter(fake)
	fake.Fail("AttachVolume", ebstest.APIError("AttachVolume", "RequestLimitExceeded", "Request limit exceeded."))

	first, err := s.RestoreVolume(t.Context(), restoreOptions())
	if code(err) != "RequestLimitExceeded" || first == "" {
		t.Fatalf("first RestoreVolume = %q, %v; want the volume and RequestLimitExceeded", first, err)
	}
	second, err := s.RestoreVolume(t.Context(), restoreOptions())
	if err != nil || second != first {
		t.Fatalf("second RestoreVolume = %q, %v; want %s", second, err, first)
	}
	third, err := s.RestoreVolume(t.Context(), restoreOptions())
	if err != nil || third != first {
		t.Fatalf("third RestoreVolume = %q, %v; want %s", third, err, first)
	}
	if vols := fake.Volumes(); len(vols) != 1 {
		t.Errorf("volumes %v, want one", vols)
	}
	attaches := 0
	for _, c := range fake.Calls() {
		if c == "AttachVolume" {
			attaches++
		}
	}
	if attaches != 2 {
		t.Errorf("%d AttachVolume calls, want 2: the failed one and the retry, none once attached", attaches)
	}
}

// TestRestoreVolumeBlank is the fleet's first node: no snapshot yet, so a
// blank volume of the size asked for, tagged as the fleet's.
func TestRestoreVolumeBlank(t *testing.T) {
	fake := ebstest.New()
	fake.AddInstance(instance, zone)
	o := restoreOptions()
	o.SizeGiB = 2500
	id, err := newSnapshotter(fake).RestoreVolume(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := fake.Volume(id)
	if v.SnapshotId != nil && aws.ToString(v.SnapshotId) != "" || aws.ToInt32(v.Size) != 2500 || v.State != types.VolumeStateInUse {
		t.Errorf("volume from %q of %d GiB, %s; want blank, 2500 GiB, in use", aws.ToString(v.SnapshotId), aws.ToInt32(v.Size), v.State)
	}
	in := fake.CreateVolumeInputs()[0]
	if want := "ethfleet:fleet=prod ethfleet:network=mainnet ethfleet:client=geth ethfleet:block=0 Name=ethfleet-prod-mainnet-geth-0"; tagList(in.TagSpecifications[0].Tags) != want {
		t.Errorf("tags %s, want %s", tagList(in.TagSpecifications[0].Tags), want)
	}

	// Without a size there is nothing to make a blank volume of.
	fake = ebstest.New()
	fake.AddInstance(instance, zone)
	if _, err := newSnapshotter(fake).RestoreVolume(t.Context(), restoreOptions()); !errors.Is(err, ebs.ErrNoSnapshot) {
		t.Errorf("no snapshot, no size: %v, want ErrNoSnapshot", err)
	}
}
