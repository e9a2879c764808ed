package ebs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Tag keys on every snapshot a Snapshotter creates, and on every volume it
// restores. EC2 lets tag keys hold ':'; only the "aws:" prefix is
// reserved.
const (
	TagFleet   = "ethfleet:fleet"
	TagNetwork = "ethfleet:network"
	TagClient  = "ethfleet:client"
	TagBlock   = "ethfleet:block"
	// TagSnapshot, on a restored volume, is the snapshot it came from.
	TagSnapshot = "ethfleet:snapshot"
	TagName     = "Name"
)

// Defaults for a Snapshotter's zero fields.
const (
	DefaultKeep          = 3
	DefaultPollInterval  = 5 * time.Second
	DefaultVolumeTimeout = 10 * time.Minute
)

// Snapshotter snapshots one fleet's data volumes for one network and
// client, and restores them.
type Snapshotter struct {
	// API is the EC2 client.
	API API
	// Fleet, Network and Client name whose snapshots these are, as tags.
	Fleet, Network, Client string
	// Keep is how many completed snapshots Prune keeps; 0 means
	// DefaultKeep.
	Keep int
	// SnapshotTimeout, when positive, makes Create wait until the
	// snapshot is completed, for at most this long. Zero returns as soon
	// as EC2 has accepted it (it is then pending).
	SnapshotTimeout time.Duration
	// VolumeTimeout bounds each of RestoreVolume's two waits: for the new
	// volume to become available, then for it to be attached. Zero means
	// DefaultVolumeTimeout.
	VolumeTimeout time.Duration
	// PollInterval is the time between two describe calls while waiting;
	// zero means DefaultPollInterval.
	PollInterval time.Duration
	// OnProgress, if set, is called with every state seen while waiting.
	OnProgress func(Progress)
}

// Progress is one look at a snapshot or volume being waited for.
type Progress struct {
	// ID is the snapshot's or volume's ID.
	ID string
	// State is EC2's state for it: pending or completed for a snapshot;
	// creating, available or in-use for a volume. It is empty while EC2
	// does not yet show the new resource.
	State string
	// Percent is a snapshot's progress as EC2 reports it, such as "42%".
	Percent string
	// Attachment is a volume's attachment state: attaching or attached.
	Attachment string
	// Elapsed is the time since the wait began.
	Elapsed time.Duration
}

// check reports what is missing for any call.
func (s *Snapshotter) check() error {
	var errs []error
	if s.API == nil {
		errs = append(errs, errors.New("no EC2 client"))
	}
	for _, f := range []struct{ name, value string }{{"fleet", s.Fleet}, {"network", s.Network}, {"client", s.Client}} {
		if f.value == "" {
			errs = append(errs, fmt.Errorf("no %s name", f.name))
		}
	}
	if s.Keep < 0 {
		errs = append(errs, fmt.Errorf("keep %d is negative", s.Keep))
	}
	return errors.Join(errs...)
}

// name is the Name tag of the snapshot at block, and of volumes made
// from it.
func (s *Snapshotter) name(block uint64) string {
	return fmt.Sprintf("ethfleet-%s-%s-%s-%d", s.Fleet, s.Network, s.Client, block)
}

// tags are the tags of a snapshot at block: fleet, network, client, block
// and Name.
func (s *Snapshotter) tags(block uint64) []types.Tag {
	return []types.Tag{
		{Key: aws.String(TagFleet), Value: aws.String(s.Fleet)},
		{Key: aws.String(TagNetwork), Value: aws.String(s.Network)},
		{Key: aws.String(TagClient), Value: aws.String(s.Client)},
		{Key: aws.String(TagBlock), Value: aws.String(strconv.FormatUint(block, 10))},
		{Key: aws.String(TagName), Value: aws.String(s.name(block))},
	}
}

// ours reports whether tags name this Snapshotter's fleet, network and
// client exactly.
func (s *Snapshotter) ours(tags []types.Tag) bool {
	m := tagMap(tags)
	return m[TagFleet] == s.Fleet && m[TagNetwork] == s.Network && m[TagClient] == s.Client
}

func tagMap(tags []types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func (s *Snapshotter) keep() int {
	if s.Keep == 0 {
		return DefaultKeep
	}
	return s.Keep
}

func (s *Snapshotter) pollInterval() time.Duration {
	if s.PollInterval <= 0 {
		return DefaultPollInterval
	}
	return s.PollInterval
}

func (s *Snapshotter) volumeTimeout() time.Duration {
	if s.VolumeTimeout <= 0 {
		return DefaultVolumeTimeout
	}
	return s.VolumeTimeout
}

func (s *Snapshotter) report(p Progress) {
	if s.OnProgress != nil {
		s.OnProgress(p)
	}
}

// poll calls check at once and then every PollInterval, until check
// reports done or fails, ctx ends, or timeout passes. check returns the
// state it saw, in words, for the error when time runs out.
func (s *Snapshotter) poll(ctx context.Context, timeout time.Duration, what string, check func(ctx context.Context, elapsed time.Duration) (done bool, state string, err error)) error {
	start := time.Now()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(s.pollInterval())
	defer tick.Stop()
	for {
		done, state, err := check(ctx, time.Since(start))
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s, %s: %w", what, state, context.Cause(ctx))
		case <-deadline.C:
			return fmt.Errorf("%w after %s waiting for %s: %s", ErrTimeout, timeout, what, state)
		case <-tick.C:
		}
	}
}
