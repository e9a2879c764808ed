package ebs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Snapshot is a completed snapshot of this fleet, network and client.
type Snapshot struct {
	ID       string
	VolumeID string // the volume it was taken of
	// Block is the ethfleet:block tag; 0 if it is missing or not a number.
	Block   uint64
	Started time.Time // EC2's StartTime
	SizeGiB int32     // the size of the volume it was taken of
}

// pageSize is the MaxResults of each DescribeSnapshots page: the most
// EC2 returns in one.
const pageSize = 1000

// Latest returns the newest completed snapshot of this fleet, network
// and client, owned by this account: the one with the highest block,
// then the latest start. With none, the error wraps ErrNoSnapshot.
func (s *Snapshotter) Latest(ctx context.Context) (Snapshot, error) {
	if err := s.check(); err != nil {
		return Snapshot{}, fmt.Errorf("ebs: latest snapshot: %w", err)
	}
	snap, err := s.latest(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("ebs: %w", err)
	}
	return snap, nil
}

// latest is Latest without the checks and the package's prefix.
func (s *Snapshotter) latest(ctx context.Context) (Snapshot, error) {
	snaps, err := s.completed(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("latest snapshot: %w", err)
	}
	if len(snaps) == 0 {
		return Snapshot{}, fmt.Errorf("%w of fleet %q, network %q, client %q owned by this account", ErrNoSnapshot, s.Fleet, s.Network, s.Client)
	}
	return snaps[0], nil
}

// completed lists this account's completed snapshots of this fleet,
// network and client, newest first, page by page.
func (s *Snapshotter) completed(ctx context.Context) ([]Snapshot, error) {
	in := &ec2.DescribeSnapshotsInput{
		OwnerIds: []string{"self"},
		Filters: []types.Filter{
			tagFilter(TagFleet, s.Fleet),
			tagFilter(TagNetwork, s.Network),
			tagFilter(TagClient, s.Client),
			{Name: aws.String("status"), Values: []string{string(types.SnapshotStateCompleted)}},
		},
		MaxResults: aws.Int32(pageSize),
	}
	pages := ec2.NewDescribeSnapshotsPaginator(s.API, in, func(o *ec2.DescribeSnapshotsPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	var snaps []Snapshot
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe snapshots: %w", err)
		}
		for _, sn := range out.Snapshots {
			// The filters already say so; checked again so that a
			// filter EC2 reads differently never lets a pending or a
			// stranger's snapshot through.
			if sn.State != types.SnapshotStateCompleted || !s.ours(sn.Tags) {
				continue
			}
			snaps = append(snaps, fromSDK(sn))
		}
	}
	slices.SortFunc(snaps, newestFirst)
	return snaps, nil
}

func fromSDK(sn types.Snapshot) Snapshot {
	block, _ := strconv.ParseUint(tagMap(sn.Tags)[TagBlock], 10, 64)
	return Snapshot{
		ID:       aws.ToString(sn.SnapshotId),
		VolumeID: aws.ToString(sn.VolumeId),
		Block:    block,
		Started:  aws.ToTime(sn.StartTime),
		SizeGiB:  aws.ToInt32(sn.VolumeSize),
	}
}

// newestFirst orders by block, then start time, then ID, all descending.
func newestFirst(a, b Snapshot) int {
	if c := cmp.Compare(b.Block, a.Block); c != 0 {
		return c
	}
	if c := b.Started.Compare(a.Started); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// tagFilter matches resources whose tag key is exactly value.
func tagFilter(key, value string) types.Filter {
	return types.Filter{Name: aws.String("tag:" + key), Values: []string{escapeFilter(value)}}
}

// escapeFilter makes EC2 read value literally: in filter values '*' and
// '?' are wildcards and a backslash escapes the character after it.
func escapeFilter(value string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`).Replace(value)
}
