package route53dns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// API is the part of *route53.Client that a Registrar uses.
type API interface {
	ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error)
	GetChange(ctx context.Context, in *route53.GetChangeInput, optFns ...func(*route53.Options)) (*route53.GetChangeOutput, error)
}

var _ API = (*route53.Client)(nil)

// Defaults for a Registrar's zero fields.
const (
	DefaultTTL          = 60 * time.Second
	DefaultPollInterval = 5 * time.Second
)

// Registrar keeps one A record, Name → the node's IPv4 address, in the
// hosted zone ZoneID.
type Registrar struct {
	// API is the Route53 client.
	API API
	// ZoneID is the hosted zone's id, "Z0123…" or "/hostedzone/Z0123…".
	ZoneID string
	// Name is the record's name, with or without the final dot.
	Name string
	// TTL is the record's TTL, in whole seconds; 0 means DefaultTTL.
	TTL time.Duration
	// WaitTimeout, when positive, makes Upsert and Delete wait until
	// Route53 reports the change INSYNC (served by all its name servers),
	// for at most this long. Zero returns once Route53 accepted it.
	WaitTimeout time.Duration
	// PollInterval is the least time between two GetChange calls while
	// waiting (the waiter backs off up to four times it); 0 means
	// DefaultPollInterval.
	PollInterval time.Duration
}

// Upsert creates the A record Name → ip, or replaces whatever A record
// Name has.
func (r *Registrar) Upsert(ctx context.Context, ip netip.Addr) error {
	return r.change(ctx, types.ChangeActionUpsert, ip)
}

// Delete removes the A record Name → ip. A record that is not there is
// not an error: Route53's InvalidChangeBatch "… but it was not found"
// counts as done. A record whose value or TTL differs is left alone, and
// that is an error (*types.InvalidChangeBatch, "… the values provided do
// not match the current values").
func (r *Registrar) Delete(ctx context.Context, ip netip.Addr) error {
	err := r.change(ctx, types.ChangeActionDelete, ip)
	if isNotFound(err) {
		return nil
	}
	return err
}

// change sends one change of the A record and, if asked, waits for it.
func (r *Registrar) change(ctx context.Context, action types.ChangeAction, ip netip.Addr) error {
	what := fmt.Sprintf("route53 %s %s A %s in zone %s", strings.ToLower(string(action)), FQDN(r.Name), ip, ZoneID(r.ZoneID))
	in, err := r.input(action, ip)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	out, err := r.API.ChangeResourceRecordSets(ctx, in)
	if err != nil {
		return fmt.Errorf("%s: %w%s", what, err, batchMessages(err))
	}
	if r.WaitTimeout <= 0 || out.ChangeInfo == nil || out.ChangeInfo.Id == nil {
		return nil
	}
	if err := r.wait(ctx, *out.ChangeInfo.Id); err != nil {
		return fmt.Errorf("%s: waiting for INSYNC: %w", what, err)
	}
	return nil
}

// input is the ChangeResourceRecordSets request for one change.
func (r *Registrar) input(action types.ChangeAction, ip netip.Addr) (*route53.ChangeResourceRecordSetsInput, error) {
	switch {
	case r.API == nil:
		return nil, errors.New("no Route53 client")
	case ZoneID(r.ZoneID) == "":
		return nil, errors.New("no hosted zone id")
	case r.Name == "" || r.Name == ".":
		return nil, errors.New("no record name")
	case !ip.Unmap().Is4():
		return nil, fmt.Errorf("%s is not an IPv4 address", ip)
	}
	ttl := r.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < time.Second {
		return nil, fmt.Errorf("TTL %s below one second", ttl)
	}
	return &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(ZoneID(r.ZoneID)),
		ChangeBatch: &types.ChangeBatch{
			Comment: aws.String("ethfleet agent"),
			Changes: []types.Change{{
				Action: action,
				ResourceRecordSet: &types.ResourceRecordSet{
					Name:            aws.String(FQDN(r.Name)),
					Type:            types.RRTypeA,
					TTL:             aws.Int64(int64(ttl / time.Second)),
					ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip.Unmap().String())}},
				},
			}},
		},
	}, nil
}

// wait polls GetChange until the change is INSYNC, with the SDK's waiter.
func (r *Registrar) wait(ctx context.Context, changeID string) error {
	poll := r.PollInterval
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	waiter := route53.NewResourceRecordSetsChangedWaiter(r.API, func(o *route53.ResourceRecordSetsChangedWaiterOptions) {
		o.MinDelay, o.MaxDelay = poll, 4*poll
	})
	return waiter.Wait(ctx, &route53.GetChangeInput{Id: aws.String(lastElement(changeID))}, r.WaitTimeout)
}

// isNotFound reports whether err is Route53's answer to deleting a record
// that does not exist.
func isNotFound(err error) bool {
	var icb *types.InvalidChangeBatch
	if !errors.As(err, &icb) {
		return false
	}
	msgs := append([]string{icb.ErrorMessage()}, icb.Messages...)
	for _, m := range msgs {
		if strings.Contains(m, "but it was not found") {
			return true
		}
	}
	return false
}

// batchMessages returns the reasons an InvalidChangeBatch carries, which
// its Error method leaves out, as " (reason; reason)".
func batchMessages(err error) string {
	var icb *types.InvalidChangeBatch
	if !errors.As(err, &icb) || len(icb.Messages) == 0 {
		return ""
	}
	return " (" + strings.Join(icb.Messages, "; ") + ")"
}

// FQDN returns name fully qualified: with one final dot, as Route53
// returns names.
func FQDN(name string) string {
	return strings.TrimSuffix(name, ".") + "."
}

// ZoneID returns a hosted zone id without the "/hostedzone/" prefix that
// some Route53 answers carry.
func ZoneID(id string) string { return lastElement(id) }

// lastElement is what follows the last slash of s.
func lastElement(s string) string {
	return s[strings.LastIndex(s, "/")+1:]
}
