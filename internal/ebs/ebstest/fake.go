package ebstest

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// DefaultAccount is the account ID the fake acts as unless told otherwise.
const DefaultAccount = "123456789012"

// EC2 is the fake. Set its exported fields before the calls they should
// affect: the describe counts, SnapshotError and Lag apply to resources
// created after they are set. Safe for concurrent use.
type EC2 struct {
	// Account owns whatever the fake creates; it is what OwnerIds "self"
	// means.
	Account string
	// SnapshotDescribes is how many describes show a new snapshot pending
	// before one shows it completed; negative means it never completes.
	SnapshotDescribes int
	// SnapshotError, if set, makes new snapshots end in the error state,
	// with this state message, where they would have completed.
	SnapshotError string
	// VolumeDescribes is how many describes show a new volume creating
	// before one shows it available; negative means never.
	VolumeDescribes int
	// AttachDescribes is how many describes show a new attachment
	// attaching before one shows it attached; negative means never.
	AttachDescribes int
	// Lag is how many describes of a new resource do not show it yet
	// (InvalidSnapshot.NotFound / InvalidVolume.NotFound when asked for by
	// ID), as EC2's eventual consistency allows.
	Lag int
	// PageSize, when positive, caps every describe page below MaxResults.
	PageSize int
	// Now stamps start and create times.
	Now func() time.Time

	mu        sync.Mutex
	seq       int
	snapshots map[string]*snapshot
	volumes   map[string]*volume
	instances map[string]*instance
	tokens    map[string]token
	failures  map[string][]error
	calls     []string
	deleted   []Deletion
	snapIns   []*ec2.CreateSnapshotInput
	volIns    []*ec2.CreateVolumeInput
}

// Deletion is one snapshot DeleteSnapshot removed, and its state then.
type Deletion struct {
	ID    string
	State types.SnapshotState
}

type snapshot struct {
	s       types.Snapshot
	seen    int    // describes that showed it
	hidden  int    // describes still to leave it out
	after   int    // SnapshotDescribes when it was made
	failure string // SnapshotError when it was made
	inImage bool   // an AMI uses it: DeleteSnapshot refuses
}

type volume struct {
	v           types.Volume
	seen        int
	hidden      int
	after       int
	attachSeen  int
	attachAfter int
}

type instance struct {
	az      string
	devices map[string]string // device → volume ID, "" for a device of its own
}

type token struct {
	volumeID string
	input    string // the request's parameters, to tell a retry from a reuse
}

// New returns a fake with no resources, in which every new resource needs
// one describe to move on.
func New() *EC2 {
	return &EC2{
		Account:           DefaultAccount,
		SnapshotDescribes: 1,
		VolumeDescribes:   1,
		AttachDescribes:   1,
		Now:               time.Now,
		snapshots:         map[string]*snapshot{},
		volumes:           map[string]*volume{},
		instances:         map[string]*instance{},
		tokens:            map[string]token{},
		failures:          map[string][]error{},
	}
}

// nextID returns a new ID with the given prefix: snap-, vol-.
func (f *EC2) nextID(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s%017x", prefix, f.seq)
}

// AddInstance adds a running instance in az whose devices are taken by
// volumes of its own (its root volume, say).
func (f *EC2) AddInstance(id, az string, devices ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := &instance{az: az, devices: map[string]string{}}
	for _, d := range devices {
		in.devices[d] = ""
	}
	f.instances[id] = in
}

// AddVolume adds an available, unattached volume and returns its ID.
func (f *EC2) AddVolume(az string, sizeGiB int32) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.nextID("vol-")
	f.volumes[id] = &volume{v: types.Volume{
		VolumeId:         aws.String(id),
		AvailabilityZone: aws.String(az),
		Size:             aws.Int32(sizeGiB),
		State:            types.VolumeStateAvailable,
		VolumeType:       types.VolumeTypeGp3,
		CreateTime:       aws.Time(f.Now()),
	}, attachAfter: f.AttachDescribes}
	return id
}

// AddSnapshot adds a snapshot as s describes it and returns its ID. Unset
// fields get defaults: a new ID, this account as owner, completed, 100
// GiB, started now. A pending one completes as SnapshotDescribes says.
func (f *EC2) AddSnapshot(s types.Snapshot) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s.SnapshotId == nil {
		s.SnapshotId = aws.String(f.nextID("snap-"))
	}
	if s.OwnerId == nil {
		s.OwnerId = aws.String(f.Account)
	}
	if s.State == "" {
		s.State = types.SnapshotStateCompleted
	}
	if s.VolumeSize == nil {
		s.VolumeSize = aws.Int32(100)
	}
	if s.StartTime == nil {
		s.StartTime = aws.Time(f.Now())
	}
	if s.Progress == nil {
		s.Progress = aws.String(map[bool]string{true: "100%", false: "0%"}[s.State == types.SnapshotStateCompleted])
	}
	f.snapshots[*s.SnapshotId] = &snapshot{s: s, after: f.SnapshotDescribes}
	return *s.SnapshotId
}

// UseInImage marks snapshot id as used by an AMI, so that DeleteSnapshot
// refuses it with InvalidSnapshot.InUse.
func (f *EC2) UseInImage(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.snapshots[id]; ok {
		s.inImage = true
	}
}

// Fail makes the next call of operation op (such as "AttachVolume")
// return err instead of doing anything; several Fails queue up.
func (f *EC2) Fail(op string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[op] = append(f.failures[op], err)
}

// Snapshot returns snapshot id as it stands, without counting as a
// describe.
func (f *EC2) Snapshot(id string) (types.Snapshot, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.snapshots[id]
	if !ok {
		return types.Snapshot{}, false
	}
	return s.s, true
}

// Snapshots returns the IDs of every snapshot there is, sorted.
func (f *EC2) Snapshots() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.snapshots))
}

// Volume returns volume id as it stands, without counting as a describe.
func (f *EC2) Volume(id string) (types.Volume, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.volumes[id]
	if !ok {
		return types.Volume{}, false
	}
	return v.v, true
}

// Volumes returns the IDs of every volume there is, sorted.
func (f *EC2) Volumes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.volumes))
}

// Deleted returns the snapshots DeleteSnapshot removed, in order.
func (f *EC2) Deleted() []Deletion {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.deleted)
}

// Calls returns the operations called so far, in order, each as its name
// (such as "DescribeVolumes").
func (f *EC2) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// CreateSnapshotInputs returns every CreateSnapshot request, in order.
func (f *EC2) CreateSnapshotInputs() []*ec2.CreateSnapshotInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.snapIns)
}

// CreateVolumeInputs returns every CreateVolume request, in order.
func (f *EC2) CreateVolumeInputs() []*ec2.CreateVolumeInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.volIns)
}

// begin records a call of op and returns the failure queued for it, if
// any. f.mu must be held.
func (f *EC2) begin(op string) error {
	f.calls = append(f.calls, op)
	if q := f.failures[op]; len(q) > 0 {
		f.failures[op] = q[1:]
		return q[0]
	}
	return nil
}
