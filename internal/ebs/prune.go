package ebs

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// Prune keeps the newest Keep completed snapshots of this fleet, network
// and client (in Latest's order) and deletes the other completed ones. It
// never deletes a pending snapshot, nor one in any state but completed.
//
// It returns the IDs it deleted. A snapshot already gone
// (InvalidSnapshot.NotFound: another node pruned it first) is skipped; a
// snapshot EC2 refuses to delete (InvalidSnapshot.InUse: an AMI uses it)
// does not stop the others, and the refusals come back joined in the error.
func (s *Snapshotter) Prune(ctx context.Context) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("ebs: prune: %w", err)
	}
	snaps, err := s.completed(ctx)
	if err != nil {
		return nil, fmt.Errorf("ebs: prune: %w", err)
	}
	keep := s.keep()
	if len(snaps) <= keep {
		return nil, nil
	}
	var deleted []string
	var errs []error
	for _, sn := range snaps[keep:] {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		_, err := s.API.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(sn.ID)})
		switch {
		case err == nil:
			deleted = append(deleted, sn.ID)
		case errorCode(err) == codeSnapshotNotFound:
		default:
			errs = append(errs, fmt.Errorf("delete %s (block %d): %w", sn.ID, sn.Block, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return deleted, fmt.Errorf("ebs: prune: %w", err)
	}
	return deleted, nil
}
