package ebs_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ethfleet/ethfleet/internal/ebs/ebstest"
)

func TestPrune(t *testing.T) {
	tests := []struct {
		name    string
		keep    int
		seeds   []seed
		setup   func(f *ebstest.EC2, ids []string)
		deleted []int    // indexes into seeds, in the order deleted
		wantErr []string // parts of the error; ids[i] is written "#i"
	}{
		{
			name:    "keeps the newest",
			keep:    2,
			seeds:   []seed{ours(100, 0), ours(500, 4), ours(300, 2), ours(200, 1), ours(400, 3)},
			deleted: []int{2, 3, 0},
		},
		{
			name: "never deletes pending",
			keep: 1,
			seeds: []seed{
				ours(100, 0), ours(150, 1).with(pending), ours(200, 2), ours(300, 3),
				ours(400, 4).with(pending), ours(50, 5).with(pending),
			},
			deleted: []int{2, 0},
		},
		{
			name:  "no more than Keep",
			keep:  3,
			seeds: []seed{ours(100, 0), ours(200, 1), ours(300, 2)},
		},
		{
			name:    "zero Keep keeps three",
			seeds:   []seed{ours(100, 0), ours(200, 1), ours(300, 2), ours(400, 3), ours(500, 4)},
			deleted: []int{1, 0},
		},
		{
			name: "other fleets, networks, clients and accounts left alone",
			keep: 1,
			seeds: []seed{
				ours(1, 0).with(func(s *seed) { s.fleet = "staging" }),
				ours(1, 0).with(func(s *seed) { s.network = "holesky" }),
				ours(1, 0).with(func(s *seed) { s.client = "nethermind" }),
				ours(1, 0).with(func(s *seed) { s.owner = "210987654321" }),
				ours(2, 1), ours(3, 2),
			},
			deleted: []int{4},
		},
		{
			name:  "in use by an AMI: the others still go",
			keep:  1,
			seeds: []seed{ours(100, 0), ours(200, 1), ours(300, 2), ours(400, 3)},
			setup: func(f *ebstest.EC2, ids []string) {
				f.UseInImage(ids[1])
			},
			deleted: []int{2, 0},
			wantErr: []string{"ebs: prune: delete #1 (block 200)", "InvalidSnapshot.InUse"},
		},
		{
			name:  "already deleted by another node",
			keep:  1,
			seeds: []seed{ours(100, 0), ours(200, 1), ours(300, 2)},
			setup: func(f *ebstest.EC2, ids []string) {
				f.Fail("DeleteSnapshot", ebstest.APIError("DeleteSnapshot", ebstest.CodeSnapshotNotFound, "The snapshot '%s' does not exist.", ids[1]))
			},
			deleted: []int{0},
		},
		{
			name:    "negative Keep",
			keep:    -1,
			seeds:   []seed{ours(100, 0), ours(200, 1)},
			wantErr: []string{"keep -1 is negative"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ebstest.New()
			fake.SnapshotDescribes = -1
			var ids []string
			for _, s := range tt.seeds {
				ids = append(ids, s.add(fake))
			}
			if tt.setup != nil {
				tt.setup(fake, ids)
			}
			s := newSnapshotter(fake)
			s.Keep = tt.keep
			got, err := s.Prune(t.Context())

			var want []string
			for _, i := range tt.deleted {
				want = append(want, ids[i])
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Prune deleted %v, want %v", got, want)
			}
			if tt.wantErr == nil && err != nil {
				t.Errorf("Prune error %v", err)
			}
			if tt.wantErr != nil && err == nil {
				t.Errorf("Prune succeeded, want an error")
			}
			for _, w := range tt.wantErr {
				for i, id := range ids {
					w = strings.ReplaceAll(w, "#"+string(rune('0'+i)), id)
				}
				if err != nil && !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			for _, d := range fake.Deleted() {
				if d.State != types.SnapshotStateCompleted {
					t.Errorf("deleted %s while %s", d.ID, d.State)
				}
			}
			for i, s := range tt.seeds {
				if _, exists := fake.Snapshot(ids[i]); exists == slices.Contains(got, ids[i]) {
					t.Errorf("snapshot %d (block %d, %s): exists %v after Prune returned %v", i, s.block, s.state, exists, got)
				}
			}
		})
	}
}
