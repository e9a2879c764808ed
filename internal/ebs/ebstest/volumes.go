package ebstest

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// CreateVolume creates a volume, creating, from a completed snapshot or of
// a size, refusing the parameters CreateVolumeInput's documentation rules
// out.
func (f *EC2) CreateVolume(ctx context.Context, in *ec2.CreateVolumeInput, _ ...func(*ec2.Options)) (*ec2.CreateVolumeOutput, error) {
	const op = "CreateVolume"
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(op); err != nil {
		return nil, err
	}
	f.volIns = append(f.volIns, in)
	fingerprint := fmt.Sprintf("%v|%v|%v|%v|%v|%v|%v|%v", aws.ToString(in.AvailabilityZone), aws.ToString(in.SnapshotId),
		aws.ToInt32(in.Size), in.VolumeType, aws.ToInt32(in.Iops), aws.ToInt32(in.Throughput), aws.ToInt32(in.VolumeInitializationRate), tagsString(in.TagSpecifications))
	if t := aws.ToString(in.ClientToken); t != "" {
		if prev, ok := f.tokens[t]; ok {
			// ClientToken: "Unique, case-sensitive identifier that you
			// provide to ensure the idempotency of the request";
			// IdempotentParameterMismatch for a reuse with other
			// parameters.
			if prev.input != fingerprint {
				return nil, APIError(op, CodeIdempotentParameterMismatch, "Client token already used before with different parameters.")
			}
			return volumeOutput(f.volumes[prev.volumeID].v), nil
		}
	}
	v, err := f.newVolume(op, in)
	if err != nil {
		return nil, err
	}
	f.volumes[*v.v.VolumeId] = v
	if t := aws.ToString(in.ClientToken); t != "" {
		f.tokens[t] = token{volumeID: *v.v.VolumeId, input: fingerprint}
	}
	return volumeOutput(v.v), nil
}

// newVolume checks a CreateVolume request and makes its volume.
func (f *EC2) newVolume(op string, in *ec2.CreateVolumeInput) (*volume, error) {
	az := aws.ToString(in.AvailabilityZone)
	if az == "" && in.AvailabilityZoneId == nil {
		return nil, APIError(op, CodeMissingParameter, "The request must contain the parameter AvailabilityZone")
	}
	vt := in.VolumeType
	if vt == "" {
		vt = types.VolumeTypeGp2 // "Default: gp2"
	}
	size := aws.ToInt32(in.Size)
	var snapID *string
	switch id := aws.ToString(in.SnapshotId); {
	case id != "":
		s, ok := f.snapshots[id]
		if !ok {
			return nil, APIError(op, CodeSnapshotNotFound, "The snapshot '%s' does not exist.", id)
		}
		if s.s.State != types.SnapshotStateCompleted {
			// As EC2 answers for a pending snapshot (velero-io/velero#1799:
			// "IncorrectState: Snapshot is in invalid state - pending").
			return nil, APIError(op, CodeIncorrectState, "Snapshot is in invalid state - %s", s.s.State)
		}
		snapSize := aws.ToInt32(s.s.VolumeSize)
		if in.Size == nil {
			size = snapSize // "the default is the snapshot size"
		} else if size < snapSize {
			// "you can specify a volume size that is equal to or larger
			// than the snapshot size"
			return nil, APIError(op, CodeInvalidParameterValue, "Volume of size %dGB is smaller than snapshot '%s', expect size >= %dGB", size, id, snapSize)
		}
		snapID = aws.String(id)
	case in.Size == nil:
		// Size: "You must specify either a snapshot ID or a volume size."
		return nil, APIError(op, CodeMissingParameter, "The request must contain either a snapshot ID or a volume size")
	case in.VolumeInitializationRate != nil:
		// "This parameter is supported only for volumes created from
		// snapshots."
		return nil, APIError(op, CodeInvalidParameterCombination, "VolumeInitializationRate is supported only for volumes created from snapshots")
	}
	if err := checkPerformance(op, vt, size, in); err != nil {
		return nil, err
	}
	tags, err := checkTags(op, in.TagSpecifications, types.ResourceTypeVolume)
	if err != nil {
		return nil, err
	}
	iops, throughput := in.Iops, in.Throughput
	if vt == types.VolumeTypeGp3 {
		if iops == nil {
			iops = aws.Int32(3000) // "gp3: 3,000 (default)"
		}
		if throughput == nil {
			throughput = aws.Int32(125)
		}
	}
	return &volume{
		v: types.Volume{
			VolumeId:                 aws.String(f.nextID("vol-")),
			AvailabilityZone:         aws.String(az),
			Size:                     aws.Int32(size),
			SnapshotId:               snapID,
			VolumeType:               vt,
			Iops:                     iops,
			Throughput:               throughput,
			VolumeInitializationRate: in.VolumeInitializationRate,
			State:                    types.VolumeStateCreating,
			CreateTime:               aws.Time(f.Now()),
			Tags:                     tags,
		},
		after:       f.VolumeDescribes,
		attachAfter: f.AttachDescribes,
		hidden:      f.Lag,
	}, nil
}

// checkPerformance refuses the sizes, IOPS, throughput and initialization
// rate CreateVolumeInput's documentation rules out: gp3 1–65,536 GiB and
// 3,000–80,000 IOPS; Throughput for gp3 only, 125–2,000 MiB/s;
// VolumeInitializationRate 100–300 MiB/s; and, from the EBS User Guide's
// gp3 section, at most 0.25 MiB/s per IOPS and 500 IOPS per GiB.
func checkPerformance(op string, vt types.VolumeType, size int32, in *ec2.CreateVolumeInput) error {
	bad := func(format string, args ...any) error {
		return APIError(op, CodeInvalidParameterValue, format, args...)
	}
	if r := in.VolumeInitializationRate; r != nil && (*r < 100 || *r > 300) {
		return bad("Volume initialization rate %d MiB/s is outside 100-300", *r)
	}
	if vt != types.VolumeTypeGp3 {
		if in.Throughput != nil {
			return bad("Throughput is supported for gp3 volumes only")
		}
		return nil
	}
	iops, throughput := int64(3000), int64(125)
	if in.Iops != nil {
		iops = int64(*in.Iops)
	}
	if in.Throughput != nil {
		throughput = int64(*in.Throughput)
	}
	switch {
	case size < 1 || size > 65536:
		return bad("Volume size %d GiB is outside 1-65536 for gp3", size)
	case iops < 3000 || iops > 80000:
		return bad("Iops %d is outside 3000-80000 for gp3", iops)
	case throughput < 125 || throughput > 2000:
		return bad("Throughput %d MiB/s is outside 125-2000 for gp3", throughput)
	case throughput*4 > iops:
		return bad("Throughput %d MiB/s is more than 0.25 MiB/s per IOPS (%d IOPS)", throughput, iops)
	case iops > 3000 && iops > int64(size)*500:
		return bad("Iops %d is more than 500 per GiB of a %d GiB volume", iops, size)
	}
	return nil
}

func tagsString(specs []types.TagSpecification) string {
	var s string
	for _, sp := range specs {
		s += string(sp.ResourceType) + ":"
		for _, t := range sp.Tags {
			s += aws.ToString(t.Key) + "=" + aws.ToString(t.Value) + ","
		}
	}
	return s
}

func volumeOutput(v types.Volume) *ec2.CreateVolumeOutput {
	return &ec2.CreateVolumeOutput{
		VolumeId:                 v.VolumeId,
		AvailabilityZone:         v.AvailabilityZone,
		Size:                     v.Size,
		SnapshotId:               v.SnapshotId,
		VolumeType:               v.VolumeType,
		Iops:                     v.Iops,
		Throughput:               v.Throughput,
		VolumeInitializationRate: v.VolumeInitializationRate,
		State:                    v.State,
		CreateTime:               v.CreateTime,
		Tags:                     v.Tags,
	}
}

// observe is one describe looking at v: creating becomes available, and
// an attachment attaching becomes attached, once enough describes have
// seen them.
func (v *volume) observe() {
	if v.v.State == types.VolumeStateCreating && v.after >= 0 {
		if v.seen >= v.after {
			v.v.State = types.VolumeStateAvailable
		}
		v.seen++
	}
	if len(v.v.Attachments) > 0 && v.v.Attachments[0].State == types.VolumeAttachmentStateAttaching && v.attachAfter >= 0 {
		if v.attachSeen >= v.attachAfter {
			v.v.Attachments[0].State = types.VolumeAttachmentStateAttached
		}
		v.attachSeen++
	}
}

// volumeFields are the DescribeVolumes filters the fake knows, from
// DescribeVolumesInput.Filters.
func volumeFields(v types.Volume) fields {
	return func(name string) ([]string, bool) {
		one := func(s string) ([]string, bool) { return []string{s}, true }
		attach := func(get func(types.VolumeAttachment) string) ([]string, bool) {
			var vals []string
			for _, a := range v.Attachments {
				vals = append(vals, get(a))
			}
			return vals, true
		}
		switch name {
		case "attachment.device":
			return attach(func(a types.VolumeAttachment) string { return aws.ToString(a.Device) })
		case "attachment.instance-id":
			return attach(func(a types.VolumeAttachment) string { return aws.ToString(a.InstanceId) })
		case "attachment.status":
			return attach(func(a types.VolumeAttachment) string { return string(a.State) })
		case "availability-zone":
			return one(aws.ToString(v.AvailabilityZone))
		case "size":
			return one(strconv.Itoa(int(aws.ToInt32(v.Size))))
		case "snapshot-id":
			return one(aws.ToString(v.SnapshotId))
		case "status":
			return one(string(v.State))
		case "volume-id":
			return one(aws.ToString(v.VolumeId))
		case "volume-type":
			return one(string(v.VolumeType))
		}
		return tagValues(v.Tags, name)
	}
}

// DescribeVolumes answers as EC2 does (see describe).
func (f *EC2) DescribeVolumes(ctx context.Context, in *ec2.DescribeVolumesInput, _ ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error) {
	const op = "DescribeVolumes"
	f.mu.Lock()
	defer f.mu.Unlock()
	found, next, err := describe(f, query{
		op: op, ids: in.VolumeIds, set: "volumeSet",
		maxResults: in.MaxResults, nextToken: in.NextToken, filters: in.Filters, pageMax: 500,
		notFound: func(id string) error {
			return APIError(op, CodeVolumeNotFound, "The volume '%s' does not exist.", id)
		},
	}, f.volumes, volumeFields, nil)
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeVolumesOutput{Volumes: found, NextToken: next}, nil
}

func (v *volume) lagging() bool       { return countDown(&v.hidden) }
func (v *volume) value() types.Volume { return cloneVolume(v.v) }
func (v *volume) look() types.Volume  { v.observe(); return cloneVolume(v.v) }

// cloneVolume copies v so that callers never share its attachments.
func cloneVolume(v types.Volume) types.Volume {
	v.Attachments = slices.Clone(v.Attachments)
	return v
}

// AttachVolume attaches an available volume to an instance in its
// Availability Zone at a free device; the volume becomes in-use at once,
// its attachment attaching.
func (f *EC2) AttachVolume(ctx context.Context, in *ec2.AttachVolumeInput, _ ...func(*ec2.Options)) (*ec2.AttachVolumeOutput, error) {
	const op = "AttachVolume"
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(op); err != nil {
		return nil, err
	}
	volID, instID, device := aws.ToString(in.VolumeId), aws.ToString(in.InstanceId), aws.ToString(in.Device)
	for _, p := range []struct{ name, value string }{{"VolumeId", volID}, {"InstanceId", instID}, {"Device", device}} {
		if p.value == "" {
			// AttachVolumeInput: "This member is required."
			return nil, APIError(op, CodeMissingParameter, "The request must contain the parameter %s", p.name)
		}
	}
	v, ok := f.volumes[volID]
	if !ok {
		return nil, APIError(op, CodeVolumeNotFound, "The volume '%s' does not exist.", volID)
	}
	inst, ok := f.instances[instID]
	if !ok {
		return nil, APIError(op, CodeInstanceNotFound, "The instance ID '%s' does not exist", instID)
	}
	switch v.v.State {
	case types.VolumeStateAvailable:
	case types.VolumeStateInUse:
		// VolumeInUse: "The specified Amazon EBS volume is attached to an
		// instance."
		return nil, APIError(op, CodeVolumeInUse, "%s is already attached to an instance", volID)
	default:
		// IncorrectState: "This error can occur if you are trying to attach
		// a volume that is still being created."
		return nil, APIError(op, CodeIncorrectState, "%s is not 'available'.", volID)
	}
	if aws.ToString(v.v.AvailabilityZone) != inst.az {
		return nil, APIError(op, CodeVolumeZoneMismatch, "The volume '%s' is not in the same availability zone as instance '%s'", volID, instID)
	}
	if _, taken := inst.devices[device]; taken {
		return nil, APIError(op, CodeDeviceInUse, "Invalid value '%s' for unixDevice. Attachment point %s is already in use", device, device)
	}
	inst.devices[device] = volID
	now := f.Now()
	a := types.VolumeAttachment{
		VolumeId:   aws.String(volID),
		InstanceId: aws.String(instID),
		Device:     aws.String(device),
		State:      types.VolumeAttachmentStateAttaching,
		AttachTime: aws.Time(now),
	}
	v.v.State = types.VolumeStateInUse
	v.v.Attachments = []types.VolumeAttachment{a}
	v.attachSeen = 0
	return &ec2.AttachVolumeOutput{
		VolumeId: a.VolumeId, InstanceId: a.InstanceId, Device: a.Device, State: a.State, AttachTime: a.AttachTime,
	}, nil
}
