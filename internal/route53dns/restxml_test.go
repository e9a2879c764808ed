package route53dns

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// The same Registrar against the real SDK client, pointed at a server on
// 127.0.0.1 that speaks Route53's REST-XML protocol in front of the fake
// zone: this checks the request the SDK really sends (path, signature,
// XML body) and that Route53's own InvalidChangeBatch answer to a DELETE
// of a missing record is taken as done.

// changeRequest is the XML body of ChangeResourceRecordSets.
type changeRequest struct {
	XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ChangeResourceRecordSetsRequest"`
	Comment string   `xml:"ChangeBatch>Comment"`
	Changes []struct {
		Action string   `xml:"Action"`
		Name   string   `xml:"ResourceRecordSet>Name"`
		Type   string   `xml:"ResourceRecordSet>Type"`
		TTL    int64    `xml:"ResourceRecordSet>TTL"`
		Values []string `xml:"ResourceRecordSet>ResourceRecords>ResourceRecord>Value"`
	} `xml:"ChangeBatch>Changes>Change"`
}

// restXMLServer serves fake over Route53's REST-XML protocol and keeps
// each request's method, path and body.
type restXMLServer struct {
	t    *testing.T
	fake *fakeRoute53

	mu       sync.Mutex
	requests []string // "METHOD PATH"
	bodies   []changeRequest
}

func (s *restXMLServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(auth, "/us-east-1/route53/aws4_request") {
		s.t.Errorf("%s %s: Authorization %q is not a SigV4 signature for route53", r.Method, r.URL.Path, auth)
	}
	zonePrefix, changePrefix := "/2013-04-01/hostedzone/", "/2013-04-01/change/"
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, zonePrefix) && strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/rrset"):
		zone := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, zonePrefix), "/"), "/rrset")
		s.change(w, r, zone)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, changePrefix):
		out, err := s.fake.GetChange(r.Context(), &route53.GetChangeInput{Id: aws.String(strings.TrimPrefix(r.URL.Path, changePrefix))})
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		writeXML(w, http.StatusOK, fmt.Sprintf(`<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>%s</Id><Status>%s</Status><SubmittedAt>2026-01-02T03:04:05.000Z</SubmittedAt></ChangeInfo></GetChangeResponse>`,
			*out.ChangeInfo.Id, out.ChangeInfo.Status))
	default:
		s.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	}
}

func (s *restXMLServer) change(w http.ResponseWriter, r *http.Request, zone string) {
	if ct := r.Header.Get("Content-Type"); ct != "application/xml" {
		s.t.Errorf("Content-Type %q", ct)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	var req changeRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		s.t.Errorf("body %s: %v", body, err)
		http.Error(w, "", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.bodies = append(s.bodies, req)
	s.mu.Unlock()

	in := &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone), ChangeBatch: &types.ChangeBatch{Comment: aws.String(req.Comment)}}
	for _, c := range req.Changes {
		rrs := &types.ResourceRecordSet{Name: aws.String(c.Name), Type: types.RRType(c.Type), TTL: aws.Int64(c.TTL)}
		for _, v := range c.Values {
			rrs.ResourceRecords = append(rrs.ResourceRecords, types.ResourceRecord{Value: aws.String(v)})
		}
		in.ChangeBatch.Changes = append(in.ChangeBatch.Changes, types.Change{Action: types.ChangeAction(c.Action), ResourceRecordSet: rrs})
	}
	out, err := s.fake.ChangeResourceRecordSets(r.Context(), in)
	var icb *types.InvalidChangeBatch
	switch {
	case errors.As(err, &icb):
		// Route53's own shape for this error: not the usual ErrorResponse.
		var msgs strings.Builder
		for _, m := range icb.Messages {
			fmt.Fprintf(&msgs, "<Message>%s</Message>", m)
		}
		writeXML(w, http.StatusBadRequest, fmt.Sprintf(`<InvalidChangeBatch xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Messages>%s</Messages><RequestId>b25f48e8-84fd-11e6-80d9-574e0c4664cb</RequestId></InvalidChangeBatch>`, msgs.String()))
	case err != nil:
		writeXML(w, http.StatusBadRequest, fmt.Sprintf(`<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>InvalidInput</Code><Message>%s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, err))
	default:
		writeXML(w, http.StatusOK, fmt.Sprintf(`<ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>%s</Id><Status>%s</Status><SubmittedAt>%s</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`,
			*out.ChangeInfo.Id, out.ChangeInfo.Status, out.ChangeInfo.SubmittedAt.UTC().Format("2006-01-02T15:04:05.000Z")))
	}
}

func writeXML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+body)
}

// realClient is an SDK Route53 client that sends everything to url, with
// static test credentials and no retries.
func realClient(url string) *route53.Client {
	return route53.NewFromConfig(aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}, nil
		}),
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}, func(o *route53.Options) {
		o.BaseEndpoint = aws.String(url)
	})
}

func TestWithTheSDKClient(t *testing.T) {
	fake := newFake(t, "Z0123456789ABC")
	fake.pending = 1
	srv := &restXMLServer{t: t, fake: fake}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)

	r := &Registrar{
		API: realClient(hs.URL), ZoneID: "/hostedzone/Z0123456789ABC", Name: "geth-1.nodes.internal", TTL: 30 * time.Second,
		WaitTimeout: 10 * time.Second, PollInterval: time.Millisecond,
	}
	if err := r.Upsert(t.Context(), ip1); err != nil {
		t.Fatal(err)
	}
	rec, ok := fake.record("geth-1.nodes.internal.")
	if !ok || *rec.ResourceRecords[0].Value != "10.0.1.5" || *rec.TTL != 30 {
		t.Fatalf("record after Upsert = %+v, %v", rec, ok)
	}
	if err := r.Delete(t.Context(), ip1); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(t.Context(), ip1); err != nil {
		t.Fatalf("Delete of a missing record through the SDK = %v, want nil", err)
	}

	wantRequests := []string{
		"POST /2013-04-01/hostedzone/Z0123456789ABC/rrset",
		"GET /2013-04-01/change/C0001", // PENDING
		"GET /2013-04-01/change/C0001", // INSYNC
		"POST /2013-04-01/hostedzone/Z0123456789ABC/rrset",
		"GET /2013-04-01/change/C0002",
		"GET /2013-04-01/change/C0002",
		"POST /2013-04-01/hostedzone/Z0123456789ABC/rrset", // refused: not found
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if strings.Join(srv.requests, "\n") != strings.Join(wantRequests, "\n") {
		t.Errorf("requests:\n  %s\nwant\n  %s", strings.Join(srv.requests, "\n  "), strings.Join(wantRequests, "\n  "))
	}
	if len(srv.bodies) != 3 {
		t.Fatalf("%d change bodies", len(srv.bodies))
	}
	for i, action := range []string{"UPSERT", "DELETE", "DELETE"} {
		b := srv.bodies[i]
		if b.Comment != "ethfleet agent" || len(b.Changes) != 1 {
			t.Errorf("body %d = %+v", i, b)
			continue
		}
		c := b.Changes[0]
		if c.Action != action || c.Name != "geth-1.nodes.internal." || c.Type != "A" || c.TTL != 30 || len(c.Values) != 1 || c.Values[0] != "10.0.1.5" {
			t.Errorf("change %d = %+v", i, c)
		}
	}
}

// The SDK's own error for a mismatched DELETE reaches the caller.
func TestSDKClientMismatch(t *testing.T) {
	fake := newFake(t, "Z1")
	hs := httptest.NewServer(&restXMLServer{t: t, fake: fake})
	t.Cleanup(hs.Close)
	r := &Registrar{API: realClient(hs.URL), ZoneID: "Z1", Name: "geth-1.nodes.internal"}
	if err := r.Upsert(t.Context(), ip1); err != nil {
		t.Fatal(err)
	}
	err := r.Delete(t.Context(), ip2)
	var icb *types.InvalidChangeBatch
	if !errors.As(err, &icb) || len(icb.Messages) != 1 || !strings.Contains(icb.Messages[0], "do not match") {
		t.Fatalf("Delete = %v, want InvalidChangeBatch about values", err)
	}
	if !strings.HasSuffix(err.Error(), "InvalidChangeBatch: ChangeBatch errors occurred (Tried to delete resource record set [name='geth-1.nodes.internal.', type='A'] but the values provided do not match the current values)") {
		t.Errorf("error %q does not say why", err)
	}
}
