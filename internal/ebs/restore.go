package ebs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// DefaultDevice is the device name a restored volume is attached at, from
// the range the EBS User Guide recommends for data volumes on Linux
// (/dev/sd[f-p]).
const DefaultDevice = "/dev/sdf"

// RestoreOptions say where the restored volume goes and how it performs.
type RestoreOptions struct {
	// InstanceID and AvailabilityZone are the instance's, as its
	// metadata service tells them.
	InstanceID       string
	AvailabilityZone string
	// Device is the device name to attach at; "" means DefaultDevice.
	Device string
	// IOPS and Throughput (MiB/s) of the gp3 volume; 0 means EC2's
	// defaults, 3,000 IOPS and 125 MiB/s.
	IOPS       int32
	Throughput int32
	// InitializationRate (MiB/s) is the EBS Provisioned Rate for Volume
	// Initialization, at which the snapshot's blocks are fetched from S3;
	// 0 leaves EC2's default (lazy loading).
	InitializationRate int32
	// SizeGiB is the volume's size; 0 means the snapshot's.
	SizeGiB int32
}

// Validate reports every problem with o, before any call to EC2.
func (o RestoreOptions) Validate() error {
	var errs []error
	if o.InstanceID == "" {
		errs = append(errs, errors.New("no instance ID"))
	}
	if o.AvailabilityZone == "" {
		errs = append(errs, errors.New("no availability zone"))
	}
	if o.Device != "" && !strings.HasPrefix(o.Device, "/dev/") && !strings.HasPrefix(o.Device, "xvd") {
		errs = append(errs, fmt.Errorf("device %q is not a device name such as /dev/sdf", o.Device))
	}
	if o.SizeGiB < 0 {
		errs = append(errs, fmt.Errorf("size %d GiB is negative", o.SizeGiB))
	}
	if err := CheckGP3(o.IOPS, o.Throughput, o.InitializationRate); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (o RestoreOptions) device() string {
	if o.Device == "" {
		return DefaultDevice
	}
	return o.Device
}

// RestoreVolume creates a gp3 volume from the newest completed snapshot
// (Latest) in the instance's Availability Zone (or, when there is none
// and o.SizeGiB is set, a blank one of that size), waits until it is
// available, attaches it to the instance at the device, and waits until
// the attachment is attached. It returns the volume's ID.
//
// The CreateVolume call carries a client token made of the instance and
// snapshot IDs, so calling RestoreVolume again on the same instance, say
// after a failed attach or a restart, finds the same volume instead of
// making another; a volume already attached there is not attached again.
// A failure after the volume exists returns its ID with the error.
func (s *Snapshotter) RestoreVolume(ctx context.Context, o RestoreOptions) (string, error) {
	what := fmt.Sprintf("ebs: restore volume for %s at %s", o.InstanceID, o.device())
	if err := errors.Join(s.check(), o.Validate()); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	snap, err := s.latest(ctx)
	// The fleet's first node finds no snapshot: with a size given, it
	// gets a blank volume and syncs from its peers.
	blank := errors.Is(err, ErrNoSnapshot) && o.SizeGiB > 0
	if err != nil && !blank {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	tags := s.tags(snap.Block)
	if blank {
		what += " (blank: no snapshot yet)"
	} else {
		what += " from " + snap.ID
		tags = append(tags, types.Tag{Key: aws.String(TagSnapshot), Value: aws.String(snap.ID)})
	}
	size := o.SizeGiB
	if size == 0 {
		size = snap.SizeGiB
	}
	if err := checkSize(size, snap.SizeGiB, o.IOPS); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}

	in := &ec2.CreateVolumeInput{
		AvailabilityZone:  aws.String(o.AvailabilityZone),
		VolumeType:        types.VolumeTypeGp3,
		ClientToken:       aws.String(clientToken(o.InstanceID, snap.ID)),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeVolume, Tags: tags}},
	}
	if !blank {
		in.SnapshotId = aws.String(snap.ID)
	}
	if o.SizeGiB != 0 {
		in.Size = aws.Int32(o.SizeGiB)
	}
	if o.IOPS != 0 {
		in.Iops = aws.Int32(o.IOPS)
	}
	if o.Throughput != 0 {
		in.Throughput = aws.Int32(o.Throughput)
	}
	if o.InitializationRate != 0 && !blank {
		in.VolumeInitializationRate = aws.Int32(o.InitializationRate)
	}
	out, err := s.API.CreateVolume(ctx, in)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	id := aws.ToString(out.VolumeId)
	if id == "" {
		return "", fmt.Errorf("%s: EC2 answered without a volume ID", what)
	}
	what += ", volume " + id

	attached, err := s.waitAvailable(ctx, id, o)
	if err != nil {
		return id, fmt.Errorf("%s: %w", what, err)
	}
	if !attached {
		if _, err := s.API.AttachVolume(ctx, &ec2.AttachVolumeInput{
			VolumeId:   aws.String(id),
			InstanceId: aws.String(o.InstanceID),
			Device:     aws.String(o.device()),
		}); err != nil {
			return id, fmt.Errorf("%s: attach: %w", what, err)
		}
	}
	if err := s.waitAttached(ctx, id, o); err != nil {
		return id, fmt.Errorf("%s: %w", what, err)
	}
	return id, nil
}

// clientToken is CreateVolume's idempotency token for restoring snapshot
// on instance: at most 64 ASCII characters, as EC2 requires.
func clientToken(instance, snapshot string) string {
	sum := sha256.Sum256([]byte(instance + "/" + snapshot))
	return "ethfleet-" + hex.EncodeToString(sum[:16])
}

// describeVolume returns volume id, or nil while EC2 does not show it yet
// (InvalidVolume.NotFound just after CreateVolume: eventual consistency).
func (s *Snapshotter) describeVolume(ctx context.Context, id string) (*types.Volume, error) {
	out, err := s.API.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{id}})
	if errorCode(err) == codeVolumeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", id, err)
	}
	if len(out.Volumes) == 0 {
		return nil, nil
	}
	return &out.Volumes[0], nil
}

// attachment is v's attachment to instance, if any.
func attachment(v *types.Volume, instance string) (types.VolumeAttachment, bool) {
	for _, a := range v.Attachments {
		if aws.ToString(a.InstanceId) == instance {
			return a, true
		}
	}
	return types.VolumeAttachment{}, false
}

// waitAvailable polls until volume id is available. It reports true if
// the volume turns out to be attached to the instance already (a repeated
// RestoreVolume got the same volume back), and fails if it is attached
// elsewhere or EC2 reports an error state.
func (s *Snapshotter) waitAvailable(ctx context.Context, id string, o RestoreOptions) (attached bool, err error) {
	err = s.poll(ctx, s.volumeTimeout(), "volume "+id+" to become available", func(ctx context.Context, elapsed time.Duration) (bool, string, error) {
		v, err := s.describeVolume(ctx, id)
		if err != nil || v == nil {
			s.report(Progress{ID: id, Elapsed: elapsed})
			return false, "not yet shown by EC2", err
		}
		a, mine := attachment(v, o.InstanceID)
		s.report(Progress{ID: id, State: string(v.State), Attachment: string(a.State), Elapsed: elapsed})
		switch v.State {
		case types.VolumeStateAvailable:
			return true, "", nil
		case types.VolumeStateInUse:
			if mine && aws.ToString(a.Device) == o.device() {
				attached = true
				return true, "", nil
			}
			return false, "", fmt.Errorf("volume %s is in use by another instance or device", id)
		case types.VolumeStateCreating:
			return false, "still creating", nil
		}
		return false, "", fmt.Errorf("volume %s is %s", id, v.State)
	})
	return attached, err
}

// waitAttached polls until volume id is in use with its attachment to the
// instance attached.
func (s *Snapshotter) waitAttached(ctx context.Context, id string, o RestoreOptions) error {
	what := fmt.Sprintf("volume %s to be attached to %s at %s", id, o.InstanceID, o.device())
	return s.poll(ctx, s.volumeTimeout(), what, func(ctx context.Context, elapsed time.Duration) (bool, string, error) {
		v, err := s.describeVolume(ctx, id)
		if err != nil || v == nil {
			return false, "not shown by EC2", err
		}
		a, mine := attachment(v, o.InstanceID)
		s.report(Progress{ID: id, State: string(v.State), Attachment: string(a.State), Elapsed: elapsed})
		switch {
		case v.State == types.VolumeStateInUse && mine && a.State == types.VolumeAttachmentStateAttached:
			return true, "", nil
		case v.State == types.VolumeStateInUse && !mine:
			return false, "", fmt.Errorf("volume %s is attached to another instance", id)
		case v.State == types.VolumeStateError:
			return false, "", fmt.Errorf("volume %s is in error", id)
		}
		state := "volume " + string(v.State)
		if mine {
			state += ", attachment " + string(a.State)
		}
		return false, state, nil
	})
}
