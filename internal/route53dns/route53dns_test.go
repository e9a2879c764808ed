package route53dns

import (
	"encoding/json"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

var (
	ip1 = netip.MustParseAddr("10.0.1.5")
	ip2 = netip.MustParseAddr("10.0.1.6")
)

// wantInput is the exact request for one change of geth-1's A record.
func wantInput(action types.ChangeAction, ip string, ttl int64) *route53.ChangeResourceRecordSetsInput {
	return &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String("Z0123456789ABC"),
		ChangeBatch: &types.ChangeBatch{
			Comment: aws.String("ethfleet agent"),
			Changes: []types.Change{{
				Action: action,
				ResourceRecordSet: &types.ResourceRecordSet{
					Name:            aws.String("geth-1.nodes.internal."),
					Type:            types.RRTypeA,
					TTL:             aws.Int64(ttl),
					ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}},
				},
			}},
		},
	}
}

func checkInput(t *testing.T, got, want *route53.ChangeResourceRecordSetsInput) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("request\n  %s\nwant\n  %s", g, w)
	}
}

func TestUpsertAndDelete(t *testing.T) {
	fake := newFake(t, "Z0123456789ABC")
	r := &Registrar{API: fake, ZoneID: "Z0123456789ABC", Name: "geth-1.nodes.internal"}
	ctx := t.Context()
	value := func() string {
		rec, ok := fake.record("geth-1.nodes.internal.")
		if !ok {
			return ""
		}
		return *rec.ResourceRecords[0].Value
	}

	if err := r.Upsert(ctx, ip1); err != nil {
		t.Fatal(err)
	}
	checkInput(t, fake.lastInput(), wantInput(types.ChangeActionUpsert, "10.0.1.5", 60))
	if v := value(); v != "10.0.1.5" {
		t.Fatalf("record = %q after the first upsert", v)
	}

	if err := r.Upsert(ctx, ip2); err != nil {
		t.Fatal(err)
	}
	if v := value(); v != "10.0.1.6" {
		t.Fatalf("record = %q after the second upsert", v)
	}

	if err := r.Delete(ctx, ip2); err != nil {
		t.Fatal(err)
	}
	checkInput(t, fake.lastInput(), wantInput(types.ChangeActionDelete, "10.0.1.6", 60))
	if v := value(); v != "" {
		t.Fatalf("record = %q after the delete", v)
	}

	// The record is gone: Route53 refuses the DELETE, and that is done.
	if err := r.Delete(ctx, ip2); err != nil {
		t.Fatalf("Delete of a missing record = %v, want nil", err)
	}
	if n := len(fake.inputs); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

func TestDeleteOfAnotherValueFails(t *testing.T) {
	fake := newFake(t, "Z0123456789ABC")
	r := &Registrar{API: fake, ZoneID: "Z0123456789ABC", Name: "geth-1.nodes.internal."}
	if err := r.Upsert(t.Context(), ip1); err != nil {
		t.Fatal(err)
	}
	err := r.Delete(t.Context(), ip2)
	var icb *types.InvalidChangeBatch
	if !errors.As(err, &icb) || !strings.Contains(err.Error(), "route53 delete geth-1.nodes.internal. A 10.0.1.6 in zone Z0123456789ABC") {
		t.Fatalf("Delete = %v, want an InvalidChangeBatch naming the change", err)
	}
	if _, ok := fake.record("geth-1.nodes.internal."); !ok {
		t.Error("the other value's record was deleted")
	}
}

func TestNamesAndZones(t *testing.T) {
	tests := []struct {
		zone, name string
		ttl        time.Duration
		wantTTL    int64
	}{
		{"Z0123456789ABC", "geth-1.nodes.internal", 0, 60},
		{"Z0123456789ABC", "geth-1.nodes.internal.", 300 * time.Second, 300},
		{"/hostedzone/Z0123456789ABC", "geth-1.nodes.internal", 90500 * time.Millisecond, 90},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.name, func(t *testing.T) {
			fake := newFake(t, "Z0123456789ABC")
			r := &Registrar{API: fake, ZoneID: tt.zone, Name: tt.name, TTL: tt.ttl}
			if err := r.Upsert(t.Context(), ip1); err != nil {
				t.Fatal(err)
			}
			checkInput(t, fake.lastInput(), wantInput(types.ChangeActionUpsert, "10.0.1.5", tt.wantTTL))
		})
	}
}

func TestRefusesBadInput(t *testing.T) {
	fake := newFake(t, "Z1")
	tests := []struct {
		name string
		r    Registrar
		ip   netip.Addr
		want string
	}{
		{"no client", Registrar{ZoneID: "Z1", Name: "n"}, ip1, "no Route53 client"},
		{"no zone", Registrar{API: fake, Name: "n"}, ip1, "no hosted zone id"},
		{"no name", Registrar{API: fake, ZoneID: "Z1"}, ip1, "no record name"},
		{"IPv6", Registrar{API: fake, ZoneID: "Z1", Name: "n"}, netip.MustParseAddr("fd00::1"), "fd00::1 is not an IPv4 address"},
		{"no IP", Registrar{API: fake, ZoneID: "Z1", Name: "n"}, netip.Addr{}, "is not an IPv4 address"},
		{"TTL under a second", Registrar{API: fake, ZoneID: "Z1", Name: "n", TTL: time.Millisecond}, ip1, "TTL 1ms below one second"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Upsert(t.Context(), tt.ip)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Upsert = %v, want an error with %q", err, tt.want)
			}
		})
	}
	if len(fake.inputs) != 0 {
		t.Errorf("%d requests sent for bad input", len(fake.inputs))
	}
}

func TestWaitsForInsync(t *testing.T) {
	fake := newFake(t, "Z1")
	fake.pending = 2
	r := &Registrar{API: fake, ZoneID: "Z1", Name: "geth-1.nodes.internal", WaitTimeout: 10 * time.Second, PollInterval: time.Millisecond}
	if err := r.Upsert(t.Context(), ip1); err != nil {
		t.Fatal(err)
	}
	if fake.getChanges != 3 {
		t.Errorf("%d GetChange calls, want 3 (PENDING, PENDING, INSYNC)", fake.getChanges)
	}

	fake.pending = 1 << 30
	r.WaitTimeout = 50 * time.Millisecond
	err := r.Upsert(t.Context(), ip2)
	if err == nil || !strings.Contains(err.Error(), "waiting for INSYNC") {
		t.Errorf("Upsert that never syncs = %v", err)
	}
}

func TestNoWaitByDefault(t *testing.T) {
	fake := newFake(t, "Z1")
	fake.pending = 1 << 30
	r := &Registrar{API: fake, ZoneID: "Z1", Name: "n"}
	if err := r.Upsert(t.Context(), ip1); err != nil {
		t.Fatal(err)
	}
	if fake.getChanges != 0 {
		t.Errorf("%d GetChange calls without WaitTimeout", fake.getChanges)
	}
}

func TestFQDN(t *testing.T) {
	for in, want := range map[string]string{
		"a.b":  "a.b.",
		"a.b.": "a.b.",
	} {
		if got := FQDN(in); got != want {
			t.Errorf("FQDN(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"Z1":             "Z1",
		"/hostedzone/Z1": "Z1",
	} {
		if got := ZoneID(in); got != want {
			t.Errorf("ZoneID(%q) = %q, want %q", in, got, want)
		}
	}
}
