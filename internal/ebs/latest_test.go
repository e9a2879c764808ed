package ebs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ethfleet/ethfleet/internal/ebs"
	"github.com/ethfleet/ethfleet/internal/ebs/ebstest"
)

func pending(s *seed) { s.state = types.SnapshotStatePending }

func TestLatest(t *testing.T) {
	tests := []struct {
		name     string
		fleet    string // the Snapshotter's, if not "prod"
		pageSize int
		seeds    []seed
		want     int // index into seeds; -1: ErrNoSnapshot
	}{
		{
			name:  "highest block",
			seeds: []seed{ours(100, 0), ours(300, 1), ours(200, 2)},
			want:  1,
		},
		{
			name:  "block before start time",
			seeds: []seed{ours(300, 0), ours(200, 10)},
			want:  0,
		},
		{
			name:  "same block: later start",
			seeds: []seed{ours(300, 5), ours(300, 0)},
			want:  0,
		},
		{
			name:  "pending ignored",
			seeds: []seed{ours(100, 0), ours(500, 10).with(pending)},
			want:  0,
		},
		{
			name:  "error ignored",
			seeds: []seed{ours(100, 0), ours(500, 10).with(func(s *seed) { s.state = types.SnapshotStateError })},
			want:  0,
		},
		{
			name: "other fleets, networks and clients ignored",
			seeds: []seed{
				ours(900, 9).with(func(s *seed) { s.fleet = "staging" }),
				ours(900, 9).with(func(s *seed) { s.network = "sepolia" }),
				ours(900, 9).with(func(s *seed) { s.client = "reth" }),
				ours(100, 0),
				ours(900, 9).with(func(s *seed) { s.fleet = "prod2" }),
			},
			want: 3,
		},
		{
			name:  "other accounts ignored",
			seeds: []seed{ours(900, 9).with(func(s *seed) { s.owner = "210987654321" }), ours(100, 0)},
			want:  1,
		},
		{
			name:  "names read literally, not as wildcards",
			fleet: "pr*",
			seeds: []seed{ours(900, 9), ours(100, 0).with(func(s *seed) { s.fleet = "pr*" })},
			want:  1,
		},
		{
			name:     "across pages",
			pageSize: 3,
			seeds: []seed{
				ours(1, 0), ours(2, 1), ours(3, 2), ours(4, 3), ours(5, 4), ours(6, 5),
				ours(7, 6), ours(50, 7), ours(9, 8), ours(10, 9), ours(11, 10),
			},
			want: 7,
		},
		{
			name: "none",
			want: -1,
		},
		{
			name:  "only pending",
			seeds: []seed{ours(100, 0).with(pending)},
			want:  -1,
		},
		{
			name:  "only another fleet's",
			seeds: []seed{ours(100, 0).with(func(s *seed) { s.fleet = "staging" })},
			want:  -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ebstest.New()
			fake.SnapshotDescribes = -1 // pending stays pending
			fake.PageSize = tt.pageSize
			var ids []string
			for _, s := range tt.seeds {
				ids = append(ids, s.add(fake))
			}
			s := newSnapshotter(fake)
			if tt.fleet != "" {
				s.Fleet = tt.fleet
			}
			got, err := s.Latest(t.Context())
			if tt.want < 0 {
				if !errors.Is(err, ebs.ErrNoSnapshot) {
					t.Fatalf("Latest = %+v, %v; want ErrNoSnapshot", got, err)
				}
				for _, w := range []string{"no completed snapshot", `fleet "prod"`, `network "mainnet"`, `client "geth"`} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.seeds[tt.want]
			if got.ID != ids[tt.want] || got.Block != want.block || !got.Started.Equal(want.start) || got.SizeGiB != 100 || got.VolumeID != "vol-0source" {
				t.Errorf("Latest = %+v, want %s at block %d started %s", got, ids[tt.want], want.block, want.start)
			}
			if tt.pageSize > 0 {
				pages := 0
				for _, c := range fake.Calls() {
					if c == "DescribeSnapshots" {
						pages++
					}
				}
				if want := (len(tt.seeds) + tt.pageSize - 1) / tt.pageSize; pages != want {
					t.Errorf("%d DescribeSnapshots pages, want %d", pages, want)
				}
			}
		})
	}
}

func TestLatestDescribeFails(t *testing.T) {
	fake := ebstest.New()
	fake.Fail("DescribeSnapshots", ebstest.APIError("DescribeSnapshots", "RequestLimitExceeded", "Request limit exceeded."))
	_, err := newSnapshotter(fake).Latest(t.Context())
	if code(err) != "RequestLimitExceeded" || errors.Is(err, ebs.ErrNoSnapshot) {
		t.Fatalf("Latest = %v; want the RequestLimitExceeded error, not ErrNoSnapshot", err)
	}
}
