package route53dns

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// fakeRoute53 is one hosted zone's A records behind API, answering as
// Route53 does: a DELETE must match the record exactly, and a DELETE that
// does not is refused with InvalidChangeBatch.
type fakeRoute53 struct {
	t    *testing.T
	zone string
	// pending is how many GetChange answers say PENDING before INSYNC.
	pending int

	mu         sync.Mutex
	records    map[string]types.ResourceRecordSet // by name
	inputs     []*route53.ChangeResourceRecordSetsInput
	changes    map[string]int // change id → GetChange calls so far
	getChanges int
}

var _ API = (*fakeRoute53)(nil)

func newFake(t *testing.T, zone string) *fakeRoute53 {
	return &fakeRoute53{t: t, zone: zone, records: map[string]types.ResourceRecordSet{}, changes: map[string]int{}}
}

func (f *fakeRoute53) ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inputs = append(f.inputs, in)
	if err := f.check(in); err != nil {
		f.t.Errorf("ChangeResourceRecordSets: %v", err)
		return nil, &types.InvalidInput{Message: aws.String(err.Error())}
	}
	change := in.ChangeBatch.Changes[0]
	rrs := *change.ResourceRecordSet
	name := *rrs.Name
	switch change.Action {
	case types.ChangeActionUpsert:
		f.records[name] = rrs
	case types.ChangeActionDelete:
		have, ok := f.records[name]
		if !ok {
			return nil, invalidChangeBatch(fmt.Sprintf("Tried to delete resource record set [name='%s', type='A'] but it was not found", name))
		}
		if *have.TTL != *rrs.TTL || *have.ResourceRecords[0].Value != *rrs.ResourceRecords[0].Value {
			return nil, invalidChangeBatch(fmt.Sprintf("Tried to delete resource record set [name='%s', type='A'] but the values provided do not match the current values", name))
		}
		delete(f.records, name)
	}
	id := fmt.Sprintf("/change/C%04d", len(f.inputs))
	f.changes[strings.TrimPrefix(id, "/change/")] = 0
	return &route53.ChangeResourceRecordSetsOutput{ChangeInfo: &types.ChangeInfo{
		Id: aws.String(id), Status: types.ChangeStatusPending, SubmittedAt: aws.Time(time.Now()),
	}}, nil
}

// check refuses anything but one change of one A record with one IPv4
// value in this zone.
func (f *fakeRoute53) check(in *route53.ChangeResourceRecordSetsInput) error {
	if in.HostedZoneId == nil || *in.HostedZoneId != f.zone {
		return fmt.Errorf("zone %v, want %s", aws.ToString(in.HostedZoneId), f.zone)
	}
	if in.ChangeBatch == nil || len(in.ChangeBatch.Changes) != 1 {
		return fmt.Errorf("want a batch of one change")
	}
	c := in.ChangeBatch.Changes[0]
	if c.Action != types.ChangeActionUpsert && c.Action != types.ChangeActionDelete {
		return fmt.Errorf("action %q", c.Action)
	}
	r := c.ResourceRecordSet
	switch {
	case r == nil:
		return fmt.Errorf("no record set")
	case r.Name == nil || !strings.HasSuffix(*r.Name, ".") || strings.HasSuffix(*r.Name, ".."):
		return fmt.Errorf("name %q is not fully qualified", aws.ToString(r.Name))
	case r.Type != types.RRTypeA:
		return fmt.Errorf("type %q", r.Type)
	case r.TTL == nil || *r.TTL < 1:
		return fmt.Errorf("TTL %v", r.TTL)
	case len(r.ResourceRecords) != 1 || r.ResourceRecords[0].Value == nil:
		return fmt.Errorf("want one value, have %d", len(r.ResourceRecords))
	case r.AliasTarget != nil || r.SetIdentifier != nil || r.Weight != nil || r.HealthCheckId != nil:
		return fmt.Errorf("unexpected routing fields")
	}
	if ip, err := netip.ParseAddr(*r.ResourceRecords[0].Value); err != nil || !ip.Is4() {
		return fmt.Errorf("value %q is not an IPv4 address", *r.ResourceRecords[0].Value)
	}
	return nil
}

func (f *fakeRoute53) GetChange(ctx context.Context, in *route53.GetChangeInput, _ ...func(*route53.Options)) (*route53.GetChangeOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.getChanges++
	id := aws.ToString(in.Id)
	calls, ok := f.changes[id]
	if !ok {
		return nil, &types.NoSuchChange{Message: aws.String("no change " + id)}
	}
	f.changes[id] = calls + 1
	status := types.ChangeStatusInsync
	if calls < f.pending {
		status = types.ChangeStatusPending
	}
	return &route53.GetChangeOutput{ChangeInfo: &types.ChangeInfo{Id: aws.String("/change/" + id), Status: status}}, nil
}

// record returns the zone's A record for name.
func (f *fakeRoute53) record(name string) (types.ResourceRecordSet, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.records[name]
	return r, ok
}

// lastInput is the last ChangeResourceRecordSets request.
func (f *fakeRoute53) lastInput() *route53.ChangeResourceRecordSetsInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.inputs) == 0 {
		return nil
	}
	return f.inputs[len(f.inputs)-1]
}

// invalidChangeBatch is the error the SDK returns for Route53's
// InvalidChangeBatch answer: it always carries this Message and the
// answer's messages.
func invalidChangeBatch(msg string) error {
	return &types.InvalidChangeBatch{Message: aws.String("ChangeBatch errors occurred"), Messages: []string{msg}}
}
