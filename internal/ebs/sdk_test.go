package ebs_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/ethfleet/ethfleet/internal/ebs"
	"github.com/ethfleet/ethfleet/internal/ebs/ebstest"
)

// The same Snapshotter against the real SDK client, pointed at a server
// on 127.0.0.1 that speaks EC2's query protocol in front of the fake: this
// checks the requests the SDK really sends (form fields, signature), that
// the fake's errors have the shape of the SDK's own, and that EC2's error
// answers reach the code that acts on them.

// querySnapshot, queryVolume and the rest are EC2's XML answers.
type queryTag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type querySnapshot struct {
	SnapshotID    string     `xml:"snapshotId"`
	VolumeID      string     `xml:"volumeId"`
	Status        string     `xml:"status"`
	StatusMessage string     `xml:"statusMessage,omitempty"`
	StartTime     string     `xml:"startTime"`
	Progress      string     `xml:"progress"`
	OwnerID       string     `xml:"ownerId"`
	VolumeSize    int32      `xml:"volumeSize"`
	Tags          []queryTag `xml:"tagSet>item"`
}

type queryAttachment struct {
	VolumeID   string `xml:"volumeId"`
	InstanceID string `xml:"instanceId"`
	Device     string `xml:"device"`
	Status     string `xml:"status"`
	AttachTime string `xml:"attachTime"`
}

type queryVolume struct {
	VolumeID                 string            `xml:"volumeId"`
	Size                     int32             `xml:"size"`
	SnapshotID               string            `xml:"snapshotId"`
	AvailabilityZone         string            `xml:"availabilityZone"`
	Status                   string            `xml:"status"`
	CreateTime               string            `xml:"createTime"`
	Attachments              []queryAttachment `xml:"attachmentSet>item"`
	Tags                     []queryTag        `xml:"tagSet>item"`
	VolumeType               string            `xml:"volumeType"`
	Iops                     int32             `xml:"iops,omitempty"`
	Throughput               int32             `xml:"throughput,omitempty"`
	VolumeInitializationRate int32             `xml:"volumeInitializationRate,omitempty"`
}

// queryResponse is an answer; the one embedded resource, if any, gives
// its fields.
type queryResponse struct {
	XMLName   xml.Name
	RequestID string          `xml:"requestId"`
	Resource  any             `xml:"-"`
	Snapshots []querySnapshot `xml:"snapshotSet>item"`
	Volumes   []queryVolume   `xml:"volumeSet>item"`
	NextToken string          `xml:"nextToken,omitempty"`
	Return    string          `xml:"return,omitempty"`
}

func xmlTime(t *time.Time) string { return aws.ToTime(t).UTC().Format("2006-01-02T15:04:05.000Z") }

func xmlTags(tags []types.Tag) []queryTag {
	var out []queryTag
	for _, t := range tags {
		out = append(out, queryTag{aws.ToString(t.Key), aws.ToString(t.Value)})
	}
	return out
}

func xmlSnapshot(s types.Snapshot) *querySnapshot {
	return &querySnapshot{
		SnapshotID: aws.ToString(s.SnapshotId), VolumeID: aws.ToString(s.VolumeId), Status: string(s.State),
		StatusMessage: aws.ToString(s.StateMessage), StartTime: xmlTime(s.StartTime), Progress: aws.ToString(s.Progress),
		OwnerID: aws.ToString(s.OwnerId), VolumeSize: aws.ToInt32(s.VolumeSize), Tags: xmlTags(s.Tags),
	}
}

func xmlVolume(v types.Volume) *queryVolume {
	q := &queryVolume{
		VolumeID: aws.ToString(v.VolumeId), Size: aws.ToInt32(v.Size), SnapshotID: aws.ToString(v.SnapshotId),
		AvailabilityZone: aws.ToString(v.AvailabilityZone), Status: string(v.State), CreateTime: xmlTime(v.CreateTime),
		Tags: xmlTags(v.Tags), VolumeType: string(v.VolumeType), Iops: aws.ToInt32(v.Iops), Throughput: aws.ToInt32(v.Throughput),
		VolumeInitializationRate: aws.ToInt32(v.VolumeInitializationRate),
	}
	for _, a := range v.Attachments {
		q.Attachments = append(q.Attachments, queryAttachment{aws.ToString(a.VolumeId), aws.ToString(a.InstanceId), aws.ToString(a.Device), string(a.State), xmlTime(a.AttachTime)})
	}
	return q
}

// form reads the SDK's query-protocol request fields.
type form url.Values

func (f form) str(key string) *string {
	if v, ok := f[key]; ok {
		return aws.String(v[0])
	}
	return nil
}

func (f form) int32(key string) *int32 {
	s := f.str(key)
	if s == nil {
		return nil
	}
	n, _ := strconv.Atoi(*s)
	return aws.Int32(int32(n))
}

// list reads prefix.1, prefix.2, … until one is missing.
func (f form) list(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v := f.str(prefix + "." + strconv.Itoa(i))
		if v == nil {
			return out
		}
		out = append(out, *v)
	}
}

func (f form) filters() []types.Filter {
	var out []types.Filter
	for i := 1; f.str("Filter."+strconv.Itoa(i)+".Name") != nil; i++ {
		p := "Filter." + strconv.Itoa(i)
		out = append(out, types.Filter{Name: f.str(p + ".Name"), Values: f.list(p + ".Value")})
	}
	return out
}

func (f form) tagSpecs() []types.TagSpecification {
	var out []types.TagSpecification
	for i := 1; f.str("TagSpecification."+strconv.Itoa(i)+".ResourceType") != nil; i++ {
		p := "TagSpecification." + strconv.Itoa(i)
		spec := types.TagSpecification{ResourceType: types.ResourceType(*f.str(p + ".ResourceType"))}
		for j := 1; f.str(p+".Tag."+strconv.Itoa(j)+".Key") != nil; j++ {
			q := p + ".Tag." + strconv.Itoa(j)
			spec.Tags = append(spec.Tags, types.Tag{Key: f.str(q + ".Key"), Value: f.str(q + ".Value")})
		}
		out = append(out, spec)
	}
	return out
}

// queryServer serves fake over EC2's query protocol and keeps each
// request's form.
type queryServer struct {
	t    *testing.T
	fake *ebstest.EC2

	mu    sync.Mutex
	forms []url.Values
}

func (s *queryServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(auth, "/us-east-1/ec2/aws4_request") {
		s.t.Errorf("Authorization %q is not a SigV4 signature for ec2", auth)
	}
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost || r.Form.Get("Version") != "2016-11-15" {
		s.t.Errorf("%s %s, form %v: %v", r.Method, r.URL, r.Form, err)
	}
	s.mu.Lock()
	s.forms = append(s.forms, r.Form)
	s.mu.Unlock()
	f := form(r.Form)
	ctx := r.Context()
	action := r.Form.Get("Action")
	resp := queryResponse{XMLName: xml.Name{Space: "http://ec2.amazonaws.com/doc/2016-11-15/", Local: action + "Response"}, RequestID: "req-1"}
	var err error
	switch action {
	case "CreateSnapshot":
		var out *ec2.CreateSnapshotOutput
		out, err = s.fake.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: f.str("VolumeId"), Description: f.str("Description"), TagSpecifications: f.tagSpecs()})
		if err == nil {
			resp.Resource = xmlSnapshot(types.Snapshot{SnapshotId: out.SnapshotId, VolumeId: out.VolumeId, State: out.State, StartTime: out.StartTime,
				Progress: out.Progress, OwnerId: out.OwnerId, VolumeSize: out.VolumeSize, Tags: out.Tags})
		}
	case "DescribeSnapshots":
		var out *ec2.DescribeSnapshotsOutput
		out, err = s.fake.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: f.list("SnapshotId"), OwnerIds: f.list("Owner"),
			Filters: f.filters(), MaxResults: f.int32("MaxResults"), NextToken: f.str("NextToken")})
		if err == nil {
			for _, sn := range out.Snapshots {
				resp.Snapshots = append(resp.Snapshots, *xmlSnapshot(sn))
			}
			resp.NextToken = aws.ToString(out.NextToken)
		}
	case "DeleteSnapshot":
		_, err = s.fake.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: f.str("SnapshotId")})
		resp.Return = "true"
	case "CreateVolume":
		var out *ec2.CreateVolumeOutput
		out, err = s.fake.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: f.str("AvailabilityZone"), SnapshotId: f.str("SnapshotId"),
			VolumeType: types.VolumeType(r.Form.Get("VolumeType")), Size: f.int32("Size"), Iops: f.int32("Iops"), Throughput: f.int32("Throughput"),
			VolumeInitializationRate: f.int32("VolumeInitializationRate"), ClientToken: f.str("ClientToken"), TagSpecifications: f.tagSpecs()})
		if err == nil {
			resp.Resource = xmlVolume(types.Volume{VolumeId: out.VolumeId, Size: out.Size, SnapshotId: out.SnapshotId, AvailabilityZone: out.AvailabilityZone,
				State: out.State, CreateTime: out.CreateTime, Tags: out.Tags, VolumeType: out.VolumeType, Iops: out.Iops, Throughput: out.Throughput})
		}
	case "DescribeVolumes":
		var out *ec2.DescribeVolumesOutput
		out, err = s.fake.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: f.list("VolumeId"), Filters: f.filters(),
			MaxResults: f.int32("MaxResults"), NextToken: f.str("NextToken")})
		if err == nil {
			for _, v := range out.Volumes {
				resp.Volumes = append(resp.Volumes, *xmlVolume(v))
			}
		}
	case "AttachVolume":
		var out *ec2.AttachVolumeOutput
		out, err = s.fake.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: f.str("VolumeId"), InstanceId: f.str("InstanceId"), Device: f.str("Device")})
		if err == nil {
			resp.Resource = &queryAttachment{aws.ToString(out.VolumeId), aws.ToString(out.InstanceId), aws.ToString(out.Device), string(out.State), xmlTime(out.AttachTime)}
		}
	default:
		s.t.Errorf("unexpected action %q", action)
		err = ebstest.APIError(action, "InvalidAction", "The action %s is not valid for this web service.", action)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		writeQueryXML(w, http.StatusBadRequest, fmt.Sprintf(`<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>req-2</RequestID></Response>`,
			ae.ErrorCode(), xmlEscape(ae.ErrorMessage())))
		return
	}
	writeQueryXML(w, http.StatusOK, s.marshal(resp))
}

// marshal renders resp, with its resource's fields directly in the
// response element as EC2 puts them.
func (s *queryServer) marshal(resp queryResponse) string {
	var inner []byte
	if resp.Resource != nil {
		b, err := xml.Marshal(resp.Resource)
		if err != nil {
			s.t.Fatal(err)
		}
		// Drop the resource's own element: <querySnapshot>…</querySnapshot>.
		inner = b[strings.IndexByte(string(b), '>')+1 : strings.LastIndexByte(string(b), '<')]
		resp.Resource = nil
	}
	b, err := xml.Marshal(resp)
	if err != nil {
		s.t.Fatal(err)
	}
	open := strings.Index(string(b), "</requestId>") + len("</requestId>")
	return string(b[:open]) + string(inner) + string(b[open:])
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func writeQueryXML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+body)
}

// formsOf returns the forms of every request of action so far.
func (s *queryServer) formsOf(action string) []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []url.Values
	for _, f := range s.forms {
		if f.Get("Action") == action {
			out = append(out, f)
		}
	}
	return out
}

// realClient is an SDK EC2 client that sends everything to url, with
// static test credentials and no retries.
func realClient(url string) *ec2.Client {
	return ec2.NewFromConfig(aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}, nil
		}),
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}, func(o *ec2.Options) {
		o.BaseEndpoint = aws.String(url)
	})
}

// wantForm checks that form holds every key=value of want.
func wantForm(t *testing.T, what string, form url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := form.Get(k); got != v {
			t.Errorf("%s: %s=%q, want %q", what, k, got, v)
		}
	}
}

func TestWithTheSDKClient(t *testing.T) {
	fake := ebstest.New()
	fake.Lag = 1 // new snapshots and volumes are not found at first: InvalidSnapshot.NotFound, InvalidVolume.NotFound
	fake.AddInstance(instance, zone, "/dev/xvda")
	source := fake.AddVolume(zone, 200)
	srv := &queryServer{t: t, fake: fake}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)

	s := newSnapshotter(fake)
	s.API = realClient(hs.URL)
	s.Keep = 1
	s.SnapshotTimeout = 10 * time.Second

	first, err := s.Create(t.Context(), source, 100)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Create(t.Context(), source, 200)
	if err != nil {
		t.Fatal(err)
	}
	creates := srv.formsOf("CreateSnapshot")
	if len(creates) != 2 {
		t.Fatalf("%d CreateSnapshot requests", len(creates))
	}
	wantForm(t, "CreateSnapshot", creates[1], map[string]string{
		"VolumeId":                        source,
		"TagSpecification.1.ResourceType": "snapshot",
		"TagSpecification.1.Tag.1.Key":    "ethfleet:fleet",
		"TagSpecification.1.Tag.1.Value":  "prod",
		"TagSpecification.1.Tag.2.Key":    "ethfleet:network",
		"TagSpecification.1.Tag.2.Value":  "mainnet",
		"TagSpecification.1.Tag.3.Key":    "ethfleet:client",
		"TagSpecification.1.Tag.3.Value":  "geth",
		"TagSpecification.1.Tag.4.Key":    "ethfleet:block",
		"TagSpecification.1.Tag.4.Value":  "200",
		"TagSpecification.1.Tag.5.Key":    "Name",
		"TagSpecification.1.Tag.5.Value":  "ethfleet-prod-mainnet-geth-200",
	})

	latest, err := s.Latest(t.Context())
	if err != nil || latest.ID != second || latest.Block != 200 || latest.SizeGiB != 200 {
		t.Fatalf("Latest = %+v, %v; want %s at block 200", latest, err, second)
	}
	describes := srv.formsOf("DescribeSnapshots")
	wantForm(t, "DescribeSnapshots", describes[len(describes)-1], map[string]string{
		"Owner.1":          "self",
		"Filter.1.Name":    "tag:ethfleet:fleet",
		"Filter.1.Value.1": "prod",
		"Filter.2.Name":    "tag:ethfleet:network",
		"Filter.2.Value.1": "mainnet",
		"Filter.3.Name":    "tag:ethfleet:client",
		"Filter.3.Value.1": "geth",
		"Filter.4.Name":    "status",
		"Filter.4.Value.1": "completed",
		"MaxResults":       "1000",
	})

	fake.UseInImage(first)
	deleted, err := s.Prune(t.Context())
	if len(deleted) != 0 || code(err) != ebstest.CodeSnapshotInUse {
		t.Fatalf("Prune = %v, %v; want InvalidSnapshot.InUse through the SDK", deleted, err)
	}
	var oe *smithy.OperationError
	if !errors.As(err, &oe) || oe.Operation() != "DeleteSnapshot" || oe.Service() != "EC2" {
		t.Errorf("Prune error %v: no EC2 DeleteSnapshot *smithy.OperationError, as the fake's errors are", err)
	}

	vol, err := s.RestoreVolume(t.Context(), restoreOptions())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := fake.Volume(vol); v.State != types.VolumeStateInUse || v.Attachments[0].State != types.VolumeAttachmentStateAttached {
		t.Errorf("volume %+v, want in use and attached", v)
	}
	wantForm(t, "CreateVolume", srv.formsOf("CreateVolume")[0], map[string]string{
		"AvailabilityZone":                zone,
		"SnapshotId":                      second,
		"VolumeType":                      "gp3",
		"Iops":                            "6000",
		"Throughput":                      "500",
		"VolumeInitializationRate":        "200",
		"TagSpecification.1.ResourceType": "volume",
		"TagSpecification.1.Tag.6.Key":    "ethfleet:snapshot",
		"TagSpecification.1.Tag.6.Value":  second,
	})
	if tok := srv.formsOf("CreateVolume")[0].Get("ClientToken"); !strings.HasPrefix(tok, "ethfleet-") {
		t.Errorf("ClientToken %q: the SDK's own token replaced ours", tok)
	}
	wantForm(t, "AttachVolume", srv.formsOf("AttachVolume")[0], map[string]string{"VolumeId": vol, "InstanceId": instance, "Device": "/dev/sdf"})

	// EC2's refusals come back as the SDK's errors, with their codes.
	o := restoreOptions()
	o.InstanceID = "i-0fedcba9876543210"
	fake.AddInstance(o.InstanceID, zone, "/dev/sdf")
	if _, err := s.RestoreVolume(t.Context(), o); code(err) != ebstest.CodeDeviceInUse {
		t.Errorf("RestoreVolume at a taken device = %v, want InvalidDevice.InUse", err)
	}
	if _, err := (&ebs.Snapshotter{API: s.API, Fleet: "prod", Network: "mainnet", Client: "geth"}).Create(t.Context(), "vol-0missing", 1); code(err) != ebstest.CodeVolumeNotFound {
		t.Errorf("Create of a missing volume = %v, want InvalidVolume.NotFound", err)
	}
}
