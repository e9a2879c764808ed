package agent

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/ethfleet/ethfleet/internal/probe"
)

// StatusSource is a probe's view of a node: *probe.Probe is one.
type StatusSource interface {
	Status() probe.Status
}

// Node is one node a Monitor judges.
type Node struct {
	Source StatusSource
	// BeaconURL is its consensus client's Beacon API, if it has one.
	BeaconURL string
	// DataDir is where its chain data lives, for the free-space metric.
	DataDir string
}

// Config says what a Monitor watches and by which rules.
type Config struct {
	// Nodes are judged; Others are the rest of the fleet, whose heads
	// count towards the fleet's head.
	Nodes  []Node
	Others []StatusSource
	// References are outside providers the nodes are measured against.
	References []StatusSource
	// FleetHead, if set, is the fleet's head (the gateway's view); else
	// the head the nodes and others agree on.
	FleetHead func() uint64
	// OutlierGap is how far above the median a head may be and count.
	OutlierGap uint64
	Rules      Rules
	// Every is the time between judgments and lag samples (default 1s).
	Every time.Duration
	// Keep is how many lag samples each series keeps (default 3600).
	Keep int
	// ConsensusTimeout bounds each question to a consensus client
	// (default 2s).
	ConsensusTimeout time.Duration
	Now              func() time.Time
}

// Report is a node as the monitor last judged it.
type Report struct {
	Name     string `json:"name"`
	Client   string `json:"client"`
	Head     uint64 `json:"head"`
	HeadTime int64  `json:"headTime"` // Unix ms
	Peers    uint64 `json:"peers"`
	Verdict
	Consensus *ConsensusStatus `json:"consensus,omitempty"`
	Disk      *Disk            `json:"disk,omitempty"`
	// Since is when readiness or its reasons last changed (Unix ms).
	Since int64 `json:"since"`
}

// Monitor judges its nodes on a timer and keeps their reports and lag
// history.
type Monitor struct {
	cfg  Config
	http *http.Client

	mu        sync.Mutex
	reports   []Report
	consensus []*ConsensusStatus
	history   []map[string]*series // per node: "fleet" and each reference
}

// FleetSeries names the lag series against the fleet's own head.
const FleetSeries = "fleet"

// New returns a monitor. It starts nothing.
func New(cfg Config) *Monitor {
	if cfg.Every <= 0 {
		cfg.Every = time.Second
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 3600
	}
	if cfg.ConsensusTimeout <= 0 {
		cfg.ConsensusTimeout = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Monitor{cfg: cfg, http: &http.Client{}}
	m.reports = make([]Report, len(cfg.Nodes))
	m.consensus = make([]*ConsensusStatus, len(cfg.Nodes))
	m.history = make([]map[string]*series, len(cfg.Nodes))
	for i, n := range cfg.Nodes {
		m.reports[i] = Report{Name: n.Source.Status().Name, Verdict: Verdict{Reasons: []string{"not judged yet"}}}
		m.history[i] = map[string]*series{}
	}
	return m
}

// Run judges every cfg.Every until ctx ends, asking consensus clients on
// their own goroutines so that one that hangs delays nothing else.
func (m *Monitor) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for i, n := range m.cfg.Nodes {
		if n.BeaconURL == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.followConsensus(ctx, i, n.BeaconURL)
		}()
	}
	t := time.NewTicker(m.cfg.Every)
	defer t.Stop()
	for {
		m.judge()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (m *Monitor) followConsensus(ctx context.Context, i int, url string) {
	t := time.NewTicker(m.cfg.Every)
	defer t.Stop()
	for {
		s := AskConsensus(ctx, m.http, url, m.cfg.ConsensusTimeout)
		m.mu.Lock()
		m.consensus[i] = &s
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// judge judges every node once and records the lag samples.
func (m *Monitor) judge() {
	now := m.cfg.Now()
	statuses := make([]probe.Status, len(m.cfg.Nodes))
	for i, n := range m.cfg.Nodes {
		statuses[i] = n.Source.Status()
	}
	refs := make([]probe.Status, len(m.cfg.References))
	for i, r := range m.cfg.References {
		refs[i] = r.Status()
	}
	fleetHead := m.fleetHead(statuses)
	disks := make([]*Disk, len(m.cfg.Nodes))
	for i, n := range m.cfg.Nodes {
		if n.DataDir != "" {
			if d, err := diskOf(n.DataDir); err == nil {
				disks[i] = &d
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range statuses {
		consensus := m.consensus[i]
		if m.cfg.Nodes[i].BeaconURL != "" && consensus == nil {
			consensus = &ConsensusStatus{Err: "not asked yet"}
		}
		v := Judge(Input{Node: s, FleetHead: fleetHead, References: refs, Consensus: consensus, Now: now}, m.cfg.Rules)
		old := m.reports[i]
		r := Report{Name: s.Name, Client: s.ClientVersion, Head: s.Head.Number, Peers: s.Peers, Verdict: v,
			Consensus: consensus, Disk: disks[i], Since: old.Since}
		if !s.Head.Time.IsZero() {
			r.HeadTime = s.Head.Time.UnixMilli()
		}
		if r.Since == 0 || old.Ready != v.Ready || !slices.Equal(old.Reasons, v.Reasons) {
			r.Since = now.UnixMilli()
		}
		m.reports[i] = r
		m.sample(i, now, FleetSeries, v.FleetLag, 0, fleetHead > 0 && s.Up)
		for _, l := range v.Lags {
			m.sample(i, now, l.Reference, l.Blocks, l.Seconds, l.Reachable && s.Up)
		}
	}
}

func (m *Monitor) sample(node int, now time.Time, name string, blocks int64, secs float64, ok bool) {
	if !ok {
		return
	}
	s := m.history[node][name]
	if s == nil {
		s = newSeries(m.cfg.Keep)
		m.history[node][name] = s
	}
	s.add(now, blocks, secs)
}

// fleetHead is the configured fleet head, or the head the nodes and the
// others agree on.
func (m *Monitor) fleetHead(nodes []probe.Status) uint64 {
	if m.cfg.FleetHead != nil {
		return m.cfg.FleetHead()
	}
	var heads []uint64
	add := func(s probe.Status) {
		if s.Up && !s.Syncing && !s.HeadSeen.IsZero() {
			heads = append(heads, s.Head.Number)
		}
	}
	for _, s := range nodes {
		add(s)
	}
	for _, o := range m.cfg.Others {
		add(o.Status())
	}
	return probe.AgreedHead(heads, m.cfg.OutlierGap)
}

// Reports returns every node's latest report.
func (m *Monitor) Reports() []Report {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.reports)
}

// Ready reports whether every node is ready, and the reasons of those
// that are not.
func (m *Monitor) Ready() (bool, []string) {
	var why []string
	for _, r := range m.Reports() {
		for _, reason := range r.Reasons {
			why = append(why, r.Name+": "+reason)
		}
	}
	return len(why) == 0, why
}

// History returns, per node and series, the lag samples after since (Unix
// ms).
func (m *Monitor) History(since int64) map[string]map[string][]Sample {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]map[string][]Sample, len(m.history))
	for i, h := range m.history {
		node := map[string][]Sample{}
		for name, s := range h {
			node[name] = s.since(since)
		}
		out[m.reports[i].Name] = node
	}
	return out
}
