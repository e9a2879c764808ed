package ebstest

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// CreateSnapshot starts a snapshot of an existing volume: pending, owned
// by Account, tagged as its TagSpecifications say.
func (f *EC2) CreateSnapshot(ctx context.Context, in *ec2.CreateSnapshotInput, _ ...func(*ec2.Options)) (*ec2.CreateSnapshotOutput, error) {
	const op = "CreateSnapshot"
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(op); err != nil {
		return nil, err
	}
	f.snapIns = append(f.snapIns, in)
	id := aws.ToString(in.VolumeId)
	if id == "" {
		// CreateSnapshotInput.VolumeId: "This member is required."
		return nil, APIError(op, CodeMissingParameter, "The request must contain the parameter VolumeId")
	}
	v, ok := f.volumes[id]
	if !ok {
		return nil, APIError(op, CodeVolumeNotFound, "The volume '%s' does not exist.", id)
	}
	if v.v.State != types.VolumeStateAvailable && v.v.State != types.VolumeStateInUse {
		// IncorrectState: "The resource is in an incorrect state for the request."
		return nil, APIError(op, CodeIncorrectState, "Volume '%s' is in the '%s' state.", id, v.v.State)
	}
	tags, err := checkTags(op, in.TagSpecifications, types.ResourceTypeSnapshot)
	if err != nil {
		return nil, err
	}
	s := types.Snapshot{
		SnapshotId:  aws.String(f.nextID("snap-")),
		VolumeId:    aws.String(id),
		VolumeSize:  v.v.Size,
		OwnerId:     aws.String(f.Account),
		Description: in.Description,
		State:       types.SnapshotStatePending,
		Progress:    aws.String(""),
		StartTime:   aws.Time(f.Now()),
		Tags:        tags,
	}
	f.snapshots[*s.SnapshotId] = &snapshot{s: s, after: f.SnapshotDescribes, hidden: f.Lag, failure: f.SnapshotError}
	return &ec2.CreateSnapshotOutput{
		SnapshotId:  s.SnapshotId,
		VolumeId:    s.VolumeId,
		VolumeSize:  s.VolumeSize,
		OwnerId:     s.OwnerId,
		Description: s.Description,
		State:       s.State,
		Progress:    s.Progress,
		StartTime:   s.StartTime,
		Tags:        s.Tags,
	}, nil
}

// observe is one describe looking at s: a pending snapshot completes (or
// fails) once enough describes have seen it, and shows its progress until
// then.
func (s *snapshot) observe() {
	if s.s.State == types.SnapshotStatePending {
		switch {
		case s.after < 0:
			s.s.Progress = aws.String("0%")
		case s.seen >= s.after && s.failure != "":
			s.s.State = types.SnapshotStateError
			s.s.StateMessage = aws.String(s.failure)
		case s.seen >= s.after:
			s.s.State = types.SnapshotStateCompleted
			s.s.Progress = aws.String("100%")
		default:
			s.s.Progress = aws.String(strconv.Itoa(s.seen*100/(s.after+1)) + "%")
		}
	}
	s.seen++
}

// snapshotFields are the DescribeSnapshots filters the fake knows, from
// DescribeSnapshotsInput.Filters.
func snapshotFields(s types.Snapshot) fields {
	return func(name string) ([]string, bool) {
		one := func(v string) ([]string, bool) { return []string{v}, true }
		switch name {
		case "description":
			return one(aws.ToString(s.Description))
		case "encrypted":
			return one(strconv.FormatBool(aws.ToBool(s.Encrypted)))
		case "owner-alias":
			return one(aws.ToString(s.OwnerAlias))
		case "owner-id":
			return one(aws.ToString(s.OwnerId))
		case "progress":
			return one(aws.ToString(s.Progress))
		case "snapshot-id":
			return one(aws.ToString(s.SnapshotId))
		case "status":
			return one(string(s.State))
		case "volume-id":
			return one(aws.ToString(s.VolumeId))
		case "volume-size":
			return one(strconv.Itoa(int(aws.ToInt32(s.VolumeSize))))
		}
		return tagValues(s.Tags, name)
	}
}

// DescribeSnapshots answers as EC2 does (see describe), only the
// snapshots of the owners in OwnerIds ("self" is Account).
func (f *EC2) DescribeSnapshots(ctx context.Context, in *ec2.DescribeSnapshotsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error) {
	const op = "DescribeSnapshots"
	f.mu.Lock()
	defer f.mu.Unlock()
	found, next, err := describe(f, query{
		op: op, ids: in.SnapshotIds, set: "snapshotSet",
		maxResults: in.MaxResults, nextToken: in.NextToken, filters: in.Filters, pageMax: 1000,
		notFound: func(id string) error {
			return APIError(op, CodeSnapshotNotFound, "The snapshot '%s' does not exist.", id)
		},
	}, f.snapshots, snapshotFields, func(s types.Snapshot) bool { return f.owned(s, in.OwnerIds) })
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeSnapshotsOutput{Snapshots: found, NextToken: next}, nil
}

func (s *snapshot) lagging() bool         { return countDown(&s.hidden) }
func (s *snapshot) value() types.Snapshot { return s.s }
func (s *snapshot) look() types.Snapshot  { s.observe(); return s.s }

// countDown reports whether *n describes are still to leave a record out,
// counting this one.
func countDown(n *int) bool {
	if *n > 0 {
		*n--
		return true
	}
	return false
}

// owned reports whether s belongs to one of owners: account IDs, "self"
// (Account) or "amazon"; no owners means any.
func (f *EC2) owned(s types.Snapshot, owners []string) bool {
	if len(owners) == 0 {
		return true
	}
	for _, o := range owners {
		switch {
		case o == "self" && aws.ToString(s.OwnerId) == f.Account,
			o == "amazon" && aws.ToString(s.OwnerAlias) == "amazon",
			o == aws.ToString(s.OwnerId):
			return true
		}
	}
	return false
}

// DeleteSnapshot deletes a snapshot in any state, unless an AMI uses it.
func (f *EC2) DeleteSnapshot(ctx context.Context, in *ec2.DeleteSnapshotInput, _ ...func(*ec2.Options)) (*ec2.DeleteSnapshotOutput, error) {
	const op = "DeleteSnapshot"
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(op); err != nil {
		return nil, err
	}
	id := aws.ToString(in.SnapshotId)
	if id == "" {
		return nil, APIError(op, CodeMissingParameter, "The request must contain the parameter SnapshotId")
	}
	s, ok := f.snapshots[id]
	if !ok {
		return nil, APIError(op, CodeSnapshotNotFound, "The snapshot '%s' does not exist.", id)
	}
	if s.inImage {
		return nil, APIError(op, CodeSnapshotInUse, "The snapshot %s is currently in use by an AMI", id)
	}
	delete(f.snapshots, id)
	f.deleted = append(f.deleted, Deletion{ID: id, State: s.s.State})
	return &ec2.DeleteSnapshotOutput{}, nil
}
