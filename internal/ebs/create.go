package ebs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Create snapshots volumeID, taken at block, tagged with the fleet,
// network, client, block and a Name. With a positive SnapshotTimeout it
// then waits until EC2 reports the snapshot completed, calling OnProgress
// with each state seen.
//
// A failed wait returns the snapshot's ID with the error: the snapshot
// goes on in EC2, and is never taken for Latest until it completes.
func (s *Snapshotter) Create(ctx context.Context, volumeID string, block uint64) (string, error) {
	what := fmt.Sprintf("ebs: snapshot %s at block %d", volumeID, block)
	if err := s.check(); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	if volumeID == "" {
		return "", fmt.Errorf("%s: no volume ID", what)
	}
	out, err := s.API.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{
		VolumeId:    aws.String(volumeID),
		Description: aws.String(fmt.Sprintf("ethfleet %s %s %s at block %d", s.Fleet, s.Network, s.Client, block)),
		TagSpecifications: []types.TagSpecification{{
			ResourceType: types.ResourceTypeSnapshot,
			Tags:         s.tags(block),
		}},
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	id := aws.ToString(out.SnapshotId)
	if id == "" {
		return "", fmt.Errorf("%s: EC2 answered without a snapshot ID", what)
	}
	if s.SnapshotTimeout <= 0 {
		return id, nil
	}
	if err := s.waitSnapshot(ctx, id); err != nil {
		return id, fmt.Errorf("%s: %w", what, err)
	}
	return id, nil
}

// waitSnapshot polls DescribeSnapshots until snapshot id is completed.
// Until EC2 shows a new snapshot, it may answer InvalidSnapshot.NotFound
// (eventual consistency); that counts as not yet completed.
func (s *Snapshotter) waitSnapshot(ctx context.Context, id string) error {
	what := "snapshot " + id + " to complete"
	return s.poll(ctx, s.SnapshotTimeout, what, func(ctx context.Context, elapsed time.Duration) (bool, string, error) {
		out, err := s.API.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{id}})
		if errorCode(err) == codeSnapshotNotFound || (err == nil && len(out.Snapshots) == 0) {
			s.report(Progress{ID: id, Elapsed: elapsed})
			return false, "not yet shown by EC2", nil
		}
		if err != nil {
			return false, "", fmt.Errorf("describe %s: %w", id, err)
		}
		snap := out.Snapshots[0]
		progress := aws.ToString(snap.Progress)
		s.report(Progress{ID: id, State: string(snap.State), Percent: progress, Elapsed: elapsed})
		switch snap.State {
		case types.SnapshotStateCompleted:
			return true, "", nil
		case types.SnapshotStateError:
			return false, "", errors.New("snapshot " + id + " failed: " + aws.ToString(snap.StateMessage))
		}
		state := "still " + string(snap.State)
		if progress != "" {
			state += " at " + progress
		}
		return false, state, nil
	})
}
