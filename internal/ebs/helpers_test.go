package ebs_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/ethfleet/ethfleet/internal/ebs"
	"github.com/ethfleet/ethfleet/internal/ebs/ebstest"
)

var _ ebs.API = (*ebstest.EC2)(nil)

const (
	zone     = "eu-west-1a"
	instance = "i-0123456789abcdef0"
)

// t0 is the start time of the oldest seeded snapshot.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newSnapshotter is a Snapshotter for fleet "prod", network "mainnet",
// client "geth" on fake, polling every millisecond.
func newSnapshotter(fake *ebstest.EC2) *ebs.Snapshotter {
	return &ebs.Snapshotter{
		API: fake, Fleet: "prod", Network: "mainnet", Client: "geth",
		PollInterval:  time.Millisecond,
		VolumeTimeout: 10 * time.Second,
	}
}

// seed is a snapshot to put into the fake: fleet, network, client and
// block tags, state and start time.
type seed struct {
	fleet, network, client string
	block                  uint64
	state                  types.SnapshotState
	start                  time.Time
	owner                  string // "" for this account
	size                   int32  // 0 for 100 GiB
}

// ours is a completed snapshot of prod/mainnet/geth at block, started
// minutes after t0.
func ours(block uint64, minutes int) seed {
	return seed{fleet: "prod", network: "mainnet", client: "geth", block: block, state: types.SnapshotStateCompleted, start: t0.Add(time.Duration(minutes) * time.Minute)}
}

func (s seed) with(f func(*seed)) seed {
	f(&s)
	return s
}

// add seeds s into fake and returns its ID.
func (s seed) add(fake *ebstest.EC2) string {
	snap := types.Snapshot{
		State:     s.state,
		StartTime: aws.Time(s.start),
		VolumeId:  aws.String("vol-0source"),
		Tags:      snapshotTags(s.fleet, s.network, s.client, s.block),
	}
	if s.owner != "" {
		snap.OwnerId = aws.String(s.owner)
	}
	if s.size != 0 {
		snap.VolumeSize = aws.Int32(s.size)
	}
	return fake.AddSnapshot(snap)
}

// snapshotTags are the tags Create puts on a snapshot.
func snapshotTags(fleet, network, client string, block uint64) []types.Tag {
	return []types.Tag{
		{Key: aws.String("ethfleet:fleet"), Value: aws.String(fleet)},
		{Key: aws.String("ethfleet:network"), Value: aws.String(network)},
		{Key: aws.String("ethfleet:client"), Value: aws.String(client)},
		{Key: aws.String("ethfleet:block"), Value: aws.String(strconv.FormatUint(block, 10))},
		{Key: aws.String("Name"), Value: aws.String(fmt.Sprintf("ethfleet-%s-%s-%s-%d", fleet, network, client, block))},
	}
}

// tagList renders tags as "k=v k=v" in their order.
func tagList(tags []types.Tag) string {
	s := ""
	for i, t := range tags {
		if i > 0 {
			s += " "
		}
		s += aws.ToString(t.Key) + "=" + aws.ToString(t.Value)
	}
	return s
}

// code is the EC2 error code in err, or "".
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// progressLog collects OnProgress calls.
type progressLog struct {
	mu  sync.Mutex
	all []ebs.Progress
}

func (l *progressLog) add(p ebs.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, p)
}

// states renders each call as "ID state percent attachment", dropping
// repeats in a row.
func (l *progressLog) states() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, p := range l.all {
		s := p.ID + " " + p.State
		if p.Percent != "" {
			s += " " + p.Percent
		}
		if p.Attachment != "" {
			s += " " + p.Attachment
		}
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}
