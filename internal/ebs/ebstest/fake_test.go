package ebstest_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/ethfleet/ethfleet/internal/ebs/ebstest"
)

const zone = "us-east-1a"

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// world is a fake with an instance i-1 in zone using /dev/xvda, a
// completed 100 GiB snapshot, a pending one that never completes, an
// available volume and a creating one.
type world struct {
	f                   *ebstest.EC2
	completed, pending  string
	available, creating string
}

func newWorld(t *testing.T) world {
	f := ebstest.New()
	f.AddInstance("i-1", zone, "/dev/xvda")
	w := world{f: f}
	w.completed = f.AddSnapshot(types.Snapshot{})
	f.SnapshotDescribes = -1
	w.pending = f.AddSnapshot(types.Snapshot{State: types.SnapshotStatePending})
	w.available = f.AddVolume(zone, 10)
	f.VolumeDescribes = -1
	out, err := f.CreateVolume(t.Context(), &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), Size: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	w.creating = *out.VolumeId
	return w
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		call func(w world) error
		want string
	}{
		{"volume from a pending snapshot", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), SnapshotId: aws.String(w.pending)})
			return err
		}, ebstest.CodeIncorrectState},
		{"volume from a missing snapshot", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), SnapshotId: aws.String("snap-0nope")})
			return err
		}, ebstest.CodeSnapshotNotFound},
		{"volume smaller than its snapshot", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), SnapshotId: aws.String(w.completed), Size: aws.Int32(99)})
			return err
		}, ebstest.CodeInvalidParameterValue},
		{"volume of no size and no snapshot", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone)})
			return err
		}, ebstest.CodeMissingParameter},
		{"volume in no zone", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{Size: aws.Int32(1)})
			return err
		}, ebstest.CodeMissingParameter},
		{"initialization rate without a snapshot", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), Size: aws.Int32(1), VolumeInitializationRate: aws.Int32(200)})
			return err
		}, ebstest.CodeInvalidParameterCombination},
		{"initialization rate out of range", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), SnapshotId: aws.String(w.completed), VolumeInitializationRate: aws.Int32(301)})
			return err
		}, ebstest.CodeInvalidParameterValue},
		{"gp3 IOPS out of range", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), Size: aws.Int32(500), VolumeType: types.VolumeTypeGp3, Iops: aws.Int32(80001)})
			return err
		}, ebstest.CodeInvalidParameterValue},
		{"gp3 throughput above IOPS/4", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), Size: aws.Int32(500), VolumeType: types.VolumeTypeGp3, Throughput: aws.Int32(751)})
			return err
		}, ebstest.CodeInvalidParameterValue},
		{"gp3 IOPS above 500 per GiB", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), Size: aws.Int32(10), VolumeType: types.VolumeTypeGp3, Iops: aws.Int32(5001)})
			return err
		}, ebstest.CodeInvalidParameterValue},
		{"throughput on gp2", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), Size: aws.Int32(10), Throughput: aws.Int32(125)})
			return err
		}, ebstest.CodeInvalidParameterValue},
		{"client token reused with other parameters", func(w world) error {
			in := &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), Size: aws.Int32(10), ClientToken: aws.String("t")}
			if _, err := w.f.CreateVolume(ctx, in); err != nil {
				return err
			}
			in2 := *in
			in2.Size = aws.Int32(11)
			_, err := w.f.CreateVolume(ctx, &in2)
			return err
		}, ebstest.CodeIdempotentParameterMismatch},
		{"volume tagged as a snapshot", func(w world) error {
			_, err := w.f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), Size: aws.Int32(1),
				TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSnapshot}}})
			return err
		}, ebstest.CodeInvalidParameterValue},
		{"tag key aws:", func(w world) error {
			_, err := w.f.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String(w.available),
				TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSnapshot, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("")}}}}})
			return err
		}, ebstest.CodeTagKeyMalformed},
		{"snapshot of a missing volume", func(w world) error {
			_, err := w.f.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String("vol-0nope")})
			return err
		}, ebstest.CodeVolumeNotFound},
		{"snapshot of a volume being created", func(w world) error {
			_, err := w.f.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String(w.creating)})
			return err
		}, ebstest.CodeIncorrectState},
		{"attach a volume being created", func(w world) error {
			_, err := w.f.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: aws.String(w.creating), InstanceId: aws.String("i-1"), Device: aws.String("/dev/sdf")})
			return err
		}, ebstest.CodeIncorrectState},
		{"attach a volume in use", func(w world) error {
			in := &ec2.AttachVolumeInput{VolumeId: aws.String(w.available), InstanceId: aws.String("i-1"), Device: aws.String("/dev/sdf")}
			if _, err := w.f.AttachVolume(ctx, in); err != nil {
				return err
			}
			in.Device = aws.String("/dev/sdg")
			_, err := w.f.AttachVolume(ctx, in)
			return err
		}, ebstest.CodeVolumeInUse},
		{"attach at a device in use", func(w world) error {
			_, err := w.f.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: aws.String(w.available), InstanceId: aws.String("i-1"), Device: aws.String("/dev/xvda")})
			return err
		}, ebstest.CodeDeviceInUse},
		{"attach across zones", func(w world) error {
			w.f.AddInstance("i-2", "us-east-1b")
			_, err := w.f.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: aws.String(w.available), InstanceId: aws.String("i-2"), Device: aws.String("/dev/sdf")})
			return err
		}, ebstest.CodeVolumeZoneMismatch},
		{"attach to a missing instance", func(w world) error {
			_, err := w.f.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: aws.String(w.available), InstanceId: aws.String("i-9"), Device: aws.String("/dev/sdf")})
			return err
		}, ebstest.CodeInstanceNotFound},
		{"attach without a device", func(w world) error {
			_, err := w.f.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: aws.String(w.available), InstanceId: aws.String("i-1")})
			return err
		}, ebstest.CodeMissingParameter},
		{"delete a missing snapshot", func(w world) error {
			_, err := w.f.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String("snap-0nope")})
			return err
		}, ebstest.CodeSnapshotNotFound},
		{"delete a snapshot an AMI uses", func(w world) error {
			w.f.UseInImage(w.completed)
			_, err := w.f.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(w.completed)})
			return err
		}, ebstest.CodeSnapshotInUse},
		{"describe a missing snapshot", func(w world) error {
			_, err := w.f.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{w.completed, "snap-0nope"}})
			return err
		}, ebstest.CodeSnapshotNotFound},
		{"describe a missing volume", func(w world) error {
			_, err := w.f.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{"vol-0nope"}})
			return err
		}, ebstest.CodeVolumeNotFound},
		{"unknown filter", func(w world) error {
			_, err := w.f.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{Filters: []types.Filter{{Name: aws.String("state"), Values: []string{"completed"}}}})
			return err
		}, ebstest.CodeInvalidParameterValue},
		{"snapshot IDs with MaxResults", func(w world) error {
			_, err := w.f.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{w.completed}, MaxResults: aws.Int32(10)})
			return err
		}, ebstest.CodeInvalidParameterCombination},
		{"volume IDs with MaxResults", func(w world) error {
			_, err := w.f.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{w.available}, MaxResults: aws.Int32(10)})
			return err
		}, ebstest.CodeInvalidParameterCombination},
		{"MaxResults below 5", func(w world) error {
			_, err := w.f.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{MaxResults: aws.Int32(4)})
			return err
		}, ebstest.CodeInvalidParameterValue},
		{"a made-up NextToken", func(w world) error {
			_, err := w.f.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{MaxResults: aws.Int32(5), NextToken: aws.String("x")})
			return err
		}, "InvalidPaginationToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(newWorld(t))
			if got := code(err); got != tt.want {
				t.Fatalf("error %v (code %q), want code %s", err, got, tt.want)
			}
			var oe *smithy.OperationError
			if !errors.As(err, &oe) || oe.Service() != "EC2" {
				t.Errorf("error %T %v is not an EC2 *smithy.OperationError", err, err)
			}
		})
	}
}

func TestStateMachines(t *testing.T) {
	ctx := t.Context()
	f := ebstest.New()
	f.SnapshotDescribes, f.VolumeDescribes, f.AttachDescribes = 2, 2, 1
	f.AddInstance("i-1", zone)
	vol := f.AddVolume(zone, 10)

	out, err := f.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String(vol)})
	if err != nil || out.State != types.SnapshotStatePending {
		t.Fatalf("CreateSnapshot = %+v, %v", out, err)
	}
	var snapStates []string
	for range 4 {
		d, err := f.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{*out.SnapshotId}})
		if err != nil {
			t.Fatal(err)
		}
		snapStates = append(snapStates, string(d.Snapshots[0].State)+" "+aws.ToString(d.Snapshots[0].Progress))
	}
	if want := []string{"pending 0%", "pending 33%", "completed 100%", "completed 100%"}; !reflect.DeepEqual(snapStates, want) {
		t.Errorf("snapshot states %q, want %q", snapStates, want)
	}

	cv, err := f.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(zone), SnapshotId: out.SnapshotId, VolumeType: types.VolumeTypeGp3})
	if err != nil || cv.State != types.VolumeStateCreating || aws.ToInt32(cv.Size) != 10 || aws.ToInt32(cv.Iops) != 3000 {
		t.Fatalf("CreateVolume = %+v, %v", cv, err)
	}
	describe := func() string {
		d, err := f.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{*cv.VolumeId}})
		if err != nil {
			t.Fatal(err)
		}
		v := d.Volumes[0]
		s := string(v.State)
		for _, a := range v.Attachments {
			s += " " + string(a.State)
		}
		return s
	}
	var volStates []string
	for range 3 {
		volStates = append(volStates, describe())
	}
	if _, err := f.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: cv.VolumeId, InstanceId: aws.String("i-1"), Device: aws.String("/dev/sdf")}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		volStates = append(volStates, describe())
	}
	want := []string{"creating", "creating", "available", "in-use attaching", "in-use attached", "in-use attached"}
	if !reflect.DeepEqual(volStates, want) {
		t.Errorf("volume states %q, want %q", volStates, want)
	}
}

func TestFilters(t *testing.T) {
	f := ebstest.New()
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	a := f.AddSnapshot(types.Snapshot{Tags: []types.Tag{tag("team", "prod*"), tag("env", "main")}})
	b := f.AddSnapshot(types.Snapshot{Tags: []types.Tag{tag("team", "production")}})
	c := f.AddSnapshot(types.Snapshot{Tags: []types.Tag{tag("team", "prod")}, OwnerId: aws.String("210987654321")})
	d := f.AddSnapshot(types.Snapshot{Tags: []types.Tag{tag("team", "pr0d")}, State: types.SnapshotStateError})
	flt := func(name string, values ...string) types.Filter {
		return types.Filter{Name: aws.String(name), Values: values}
	}
	tests := []struct {
		name    string
		in      ec2.DescribeSnapshotsInput
		want    []string
		pageCap int
	}{
		{"all", ec2.DescribeSnapshotsInput{}, []string{a, b, c, d}, 0},
		{"self", ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}}, []string{a, b, d}, 0},
		{"an account", ec2.DescribeSnapshotsInput{OwnerIds: []string{"210987654321"}}, []string{c}, 0},
		{"wildcard", ec2.DescribeSnapshotsInput{Filters: []types.Filter{flt("tag:team", "prod*")}}, []string{a, b, c}, 0},
		{"escaped wildcard", ec2.DescribeSnapshotsInput{Filters: []types.Filter{flt("tag:team", `prod\*`)}}, []string{a}, 0},
		{"one character", ec2.DescribeSnapshotsInput{Filters: []types.Filter{flt("tag:team", "pr?d")}}, []string{c, d}, 0},
		{"values ORed", ec2.DescribeSnapshotsInput{Filters: []types.Filter{flt("tag:team", "prod", "production")}}, []string{b, c}, 0},
		{"filters ANDed", ec2.DescribeSnapshotsInput{Filters: []types.Filter{flt("tag:team", "prod*"), flt("status", "completed"), flt("owner-id", ebstest.DefaultAccount)}}, []string{a, b}, 0},
		{"tag-key", ec2.DescribeSnapshotsInput{Filters: []types.Filter{flt("tag-key", "env")}}, []string{a}, 0},
		{"case-sensitive", ec2.DescribeSnapshotsInput{Filters: []types.Filter{flt("tag:Team", "prod")}}, nil, 0},
		{"paged", ec2.DescribeSnapshotsInput{MaxResults: aws.Int32(5)}, []string{a, b, c, d}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.PageSize = tt.pageCap
			var got []string
			in := tt.in
			for pages := 0; ; pages++ {
				out, err := f.DescribeSnapshots(t.Context(), &in)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range out.Snapshots {
					got = append(got, *s.SnapshotId)
				}
				if out.NextToken == nil {
					break
				}
				if tt.pageCap == 0 || pages > 5 {
					t.Fatalf("unexpected NextToken %s", *out.NextToken)
				}
				in.NextToken = out.NextToken
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
