package agent

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/devnet"
)

// fakeGeth writes a shell script standing in for geth: it records its
// arguments, and on SIGTERM records that and exits.
func fakeGeth(t *testing.T) (path, argsFile, termFile string) {
	dir := t.TempDir()
	path, argsFile, termFile = filepath.Join(dir, "geth"), filepath.Join(dir, "args"), filepath.Join(dir, "term")
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" > %s\ntrap 'echo term > %s; exit 0' TERM\nwhile :; do sleep 0.05 & wait; done\n", argsFile, termFile)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, argsFile, termFile
}

// fakeIMDS answers as EC2's instance metadata service (IMDSv2) does: a
// token for a PUT, and the public address for a GET that carries it.
func fakeIMDS(t *testing.T, publicIP string) string {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" && r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds") != "":
			w.Write([]byte("tok"))
		case r.Header.Get("X-aws-ec2-metadata-token") != "tok":
			w.WriteHeader(http.StatusUnauthorized)
		case r.URL.Path == "/latest/meta-data/public-ipv4":
			w.Write([]byte(publicIP))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// TestServiceSupervisesClient runs a stand-in geth under the agent: its
// flags come from the node's entry and the address EC2's metadata gives,
// and stopping the agent stops it with SIGTERM.
func TestServiceSupervisesClient(t *testing.T) {
	geth, argsFile, termFile := fakeGeth(t)
	dataDir := t.TempDir()
	cfg := config.Default()
	cfg.Network.Name = "sepolia"
	cfg.Nodes = []config.Node{{Name: "geth-1", RPC: config.NewSecret("http://127.0.0.1:18545"), WS: config.NewSecret("ws://127.0.0.1:18546"), DataDir: dataDir}}
	cfg.Agent.Node = "geth-1"
	cfg.Agent.Client = &config.AgentClient{Command: geth, Args: []string{"--cache=4096"}, StopTimeout: 10 * time.Second}
	cfg.Ops.Listen = "127.0.0.1:0"
	s, err := NewService(ServiceOptions{Config: cfg, EC2MetadataURL: fakeIMDS(t, "198.51.100.9"), GCEMetadataURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	var args string
	await.True(t, 10*time.Second, "the client started", func() bool {
		b, _ := os.ReadFile(argsFile)
		args = string(b)
		return args != ""
	})
	for _, want := range []string{"--datadir=" + dataDir, "--sepolia", "--http.port=18545", "--ws", "--ws.port=18546", "--nat=extip:198.51.100.9", "--cache=4096"} {
		if !strings.Contains(args, want) {
			t.Errorf("client flags lack %s: %s", want, args)
		}
	}
	await.True(t, 10*time.Second, "the supervisor to report the client running", func() bool {
		st := s.Status().(AgentStatus)
		return st.Supervised != nil && st.Supervised.Running && st.Supervised.Starts == 1
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(termFile); err != nil || !strings.Contains(string(b), "term") {
		t.Errorf("the client was not stopped with SIGTERM: %v", err)
	}
}

// fakeRoute53 keeps the changes it is sent.
type fakeRoute53 struct {
	mu      sync.Mutex
	changes []string // "UPSERT name ip ttl"
}

func (f *fakeRoute53) ChangeResourceRecordSets(_ context.Context, in *route53.ChangeResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range in.ChangeBatch.Changes {
		rs := c.ResourceRecordSet
		f.changes = append(f.changes, fmt.Sprintf("%s %s %s %s %s %d", *in.HostedZoneId, c.Action, *rs.Name, rs.Type, *rs.ResourceRecords[0].Value, *rs.TTL))
	}
	return &route53.ChangeResourceRecordSetsOutput{ChangeInfo: &types.ChangeInfo{Id: new(string), Status: types.ChangeStatusPending}}, nil
}

func (f *fakeRoute53) GetChange(context.Context, *route53.GetChangeInput, ...func(*route53.Options)) (*route53.GetChangeOutput, error) {
	return &route53.GetChangeOutput{ChangeInfo: &types.ChangeInfo{Status: types.ChangeStatusInsync}}, nil
}

func (f *fakeRoute53) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.changes...)
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

// TestServiceDNSAndEMF: once its node is ready the agent registers it in
// Route53, writes EMF lines while it runs, and deregisters it on a clean
// stop.
func TestServiceDNSAndEMF(t *testing.T) {
	d := devnet.New(devnet.Config{DataDir: t.TempDir(), BlockTime: 300 * time.Millisecond, NoLogIndex: true})
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	n := d.Producer()
	cfg := config.Default()
	cfg.Nodes = []config.Node{{Name: "geth-1", RPC: config.NewSecret(n.HTTPURL()), WS: config.NewSecret(n.WSURL()), DataDir: n.DataDir()}}
	cfg.Agent.Node = "geth-1"
	cfg.Agent.DNS = &config.AgentDNS{ZoneID: "Z0123456789", Name: "geth-1.nodes.internal", TTL: time.Minute, Address: "10.1.2.3"}
	cfg.Agent.EMF = &config.AgentEMF{Namespace: "ethfleet", Every: 100 * time.Millisecond}
	cfg.Ops.Listen = "127.0.0.1:0"
	r53 := &fakeRoute53{}
	var out syncBuffer
	s, err := NewService(ServiceOptions{Config: cfg, Route53: r53, Stdout: &out, ProbeInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	await.True(t, 30*time.Second, "the record registered", func() bool { return len(r53.seen()) == 1 })
	if got := r53.seen()[0]; got != "Z0123456789 UPSERT geth-1.nodes.internal. A 10.1.2.3 60" {
		t.Errorf("change: %s", got)
	}
	var line string
	await.True(t, 10*time.Second, "an EMF line of the ready node", func() bool {
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, `"Ready":1`) {
				line = l
				return true
			}
		}
		return false
	})
	for _, want := range []string{`"_aws":{"Timestamp":`, `"Namespace":"ethfleet"`, `"Dimensions":[["Node"]]`, `"Node":"geth-1"`, `"Head":`} {
		if !strings.Contains(line, want) {
			t.Errorf("EMF line lacks %s: %s", want, line)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := r53.seen(); len(got) != 2 || got[1] != "Z0123456789 DELETE geth-1.nodes.internal. A 10.1.2.3 60" {
		t.Errorf("changes after stop: %q", got)
	}
}
