package pool

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/await"
)

// TestGetWorkFlow mines over getWork with ethash light verification: work
// at the share target, a share accepted, counted in /stats and /metrics.
func TestGetWorkFlow(t *testing.T) {
	node := newFakeNode(t)
	header := node.setWork(1, 1<<40)
	p, _ := startPool(t, testConfig(), node, light())
	url := p.HTTPURL() + "/rig1"

	r := rpc(t, url, "eth_getWork")
	work := strs(t, r.Result)
	want := []string{hexHash(header), hexHash([32]byte{}), fmt.Sprintf("0x%064x", targetFor(4)), "0x1"}
	if fmt.Sprint(work) != fmt.Sprint(want) {
		t.Fatalf("eth_getWork = %v, want %v", work, want)
	}

	nonce, mix, _ := mine(t, light(), 1, header, targetFor(4), 0)
	r = rpc(t, url, "eth_submitWork", fmt.Sprintf("0x%016x", nonce), hexHash(header), hexHash(mix))
	if r.Error != nil || string(r.Result) != "true" {
		t.Fatalf("eth_submitWork = %s %v", r.Result, r.Error)
	}
	if r := rpc(t, url, "eth_submitHashrate", "0x1000", "0x01"); string(r.Result) != "true" {
		t.Fatalf("eth_submitHashrate = %s %v", r.Result, r.Error)
	}

	s := getStats(t, p.HTTPURL())
	if len(s.Workers) != 1 || s.Workers[0].Name != "rig1" || s.Workers[0].Shares.Accepted != 1 || s.Workers[0].Reported != 4096 || s.Workers[0].Hashrate <= 0 {
		t.Fatalf("/stats = %+v", s)
	}
	if n := len(node.submissions()); n != 0 {
		t.Errorf("a share far above the network target was forwarded %d times", n)
	}
	metrics := get(t, p.HTTPURL()+"/metrics")
	for _, m := range []string{
		`ethfleet_mining_shares_total{outcome="accepted",worker="rig1"} 1`,
		`ethfleet_mining_hashrate_reported{worker="rig1"} 4096`,
		`ethfleet_mining_share_difficulty{worker="rig1"} 4`,
		`ethfleet_mining_workers 1`,
		`ethfleet_mining_hashrate_verified{worker="rig1"}`,
	} {
		if !strings.Contains(metrics, m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	await.True(t, 10*time.Second, "the etherbase balance", func() bool {
		return strings.Contains(get(t, p.HTTPURL()+"/metrics"), "ethfleet_mining_etherbase_balance_wei 1e+18")
	})
}

// TestBlockForwardedOnce submits a share that meets the network target
// twice, through two workers: the node gets it once, and it counts a block.
func TestBlockForwardedOnce(t *testing.T) {
	node := newFakeNode(t)
	header := node.setWork(1, 8)
	cfg := testConfig()
	cfg.ShareDifficulty = 2
	p, _ := startPool(t, cfg, node, light())

	nonce, mix, _ := mine(t, light(), 1, header, targetFor(8), 0)
	params := []any{fmt.Sprintf("0x%016x", nonce), hexHash(header), hexHash(mix)}
	rpc(t, p.HTTPURL()+"/a", "eth_getWork")
	if r := rpc(t, p.HTTPURL()+"/a", "eth_submitWork", params...); string(r.Result) != "true" {
		t.Fatalf("first submit: %s %v", r.Result, r.Error)
	}
	r := rpc(t, p.HTTPURL()+"/b", "eth_submitWork", params...)
	if r.Error == nil || r.Error.Code != codeDuplicate {
		t.Fatalf("second submit: %s %v, want a duplicate", r.Result, r.Error)
	}
	subs := node.submissions()
	if len(subs) != 1 || fmt.Sprint(subs[0]) != fmt.Sprint(params) {
		t.Fatalf("node got %v, want once %v", subs, params)
	}
	if s := getStats(t, p.HTTPURL()); s.Blocks != 1 || s.Total.Shares.Accepted != 1 || s.Total.Shares.Duplicate != 1 {
		t.Fatalf("stats = %+v", s)
	}
	if m := get(t, p.HTTPURL()+"/metrics"); !strings.Contains(m, "ethfleet_mining_blocks_found_total 1") {
		t.Error("/metrics: no block found")
	}
}

// TestShareOutcomes refuses shares with reasons: duplicate, stale,
// invalid and malformed.
func TestShareOutcomes(t *testing.T) {
	node := newFakeNode(t)
	v := fastVerifier{}
	old := node.setWork(10, 1<<40)
	p, _ := startPool(t, testConfig(), node, v)
	url := p.HTTPURL() + "/w"
	rpc(t, url, "eth_getWork")
	oldNonce, oldMix, _ := mine(t, v, 10, old, targetFor(4), 0)

	// A job replaced at the same height stays good; two heights on, it is stale.
	same := node.setWork(10, 1<<40)
	awaitJob(t, p, same)
	rpc(t, url, "eth_getWork")
	nonce, mix, _ := mine(t, v, 10, same, targetFor(4), 0)
	bad, badMix, _ := mine(t, v, 10, same, targetFor(4), nonce+1)
	var high uint64
	for n := uint64(0); ; n++ {
		if _, r, _ := v.Verify(10, same, n); !meets(r, targetFor(4)) {
			high = n
			break
		}
	}
	highMix, _, _ := v.Verify(10, same, high)
	badMix[0] ^= 1

	submit := func(nonce uint64, header, mix [32]byte) rawResponse {
		return rpc(t, url, "eth_submitWork", fmt.Sprintf("0x%016x", nonce), hexHash(header), hexHash(mix))
	}
	tests := []struct {
		name     string
		do       func() rawResponse
		wantCode int
		wantMsg  string
	}{
		{"accepted", func() rawResponse { return submit(nonce, same, mix) }, 0, ""},
		{"duplicate", func() rawResponse { return submit(nonce, same, mix) }, codeDuplicate, "duplicate share"},
		{"replaced at the same height", func() rawResponse { return submit(oldNonce, old, oldMix) }, 0, ""},
		{"wrong mix", func() rawResponse { return submit(bad, same, badMix) }, codeOther, "mix digest does not match"},
		{"result above the share target", func() rawResponse { return submit(high, same, highMix) }, codeLowDifficulty, "low difficulty share"},
		{"unknown job", func() rawResponse { return submit(nonce, [32]byte{1}, mix) }, codeStale, "unknown job"},
		{"malformed", func() rawResponse { return rpc(t, url, "eth_submitWork", "0xzz", "0x12", "x") }, codeInvalidParams, "want [nonce"},
		{"too few params", func() rawResponse { return rpc(t, url, "eth_submitWork", "0x1") }, codeInvalidParams, "at least 3"},
		{"unknown method", func() rawResponse { return rpc(t, url, "eth_mine") }, codeNoMethod, "not found"},
	}
	for _, tt := range tests {
		r := tt.do()
		if tt.wantCode == 0 {
			if r.Error != nil || string(r.Result) != "true" {
				t.Errorf("%s: %s %v, want true", tt.name, r.Result, r.Error)
			}
			continue
		}
		if r.Error == nil || r.Error.Code != tt.wantCode || !strings.Contains(r.Error.Message, tt.wantMsg) {
			t.Errorf("%s: %s %v, want error %d %q", tt.name, r.Result, r.Error, tt.wantCode, tt.wantMsg)
		}
	}

	// Two heights on, both jobs at height 10 are stale.
	awaitJob(t, p, node.setWork(11, 1<<40))
	awaitJob(t, p, node.setWork(12, 1<<40))
	other, otherMix, _ := mine(t, v, 10, same, targetFor(4), bad+1)
	if r := submit(other, same, otherMix); r.Error == nil || r.Error.Code != codeStale || !strings.Contains(r.Error.Message, "stale share") {
		t.Errorf("share two blocks late: %s %v, want stale", r.Result, r.Error)
	}

	s := getStats(t, p.HTTPURL())
	want := ShareCounts{Accepted: 2, Stale: 1, Invalid: 4, Duplicate: 1}
	if s.Workers[0].Shares != want {
		t.Errorf("shares = %+v, want %+v", s.Workers[0].Shares, want)
	}
}

// TestStaleRule checks the job store's rule directly.
func TestStaleRule(t *testing.T) {
	s := newJobStore()
	a := &Job{Header: [32]byte{1}, Height: 5}
	b := &Job{Header: [32]byte{2}, Height: 5}
	c := &Job{Header: [32]byte{3}, Height: 6}
	d := &Job{Header: [32]byte{4}, Height: 7}
	for _, j := range []*Job{a, b, c} {
		s.add(j)
	}
	tests := []struct {
		header    [32]byte
		wantStale bool
	}{
		{a.Header, true},  // replaced at height 5 before height 6 came
		{b.Header, false}, // the last job at height 5: still good one block on
		{c.Header, false},
	}
	for _, tt := range tests {
		if _, err := s.judge(tt.header); (err != nil) != tt.wantStale {
			t.Errorf("job %x: err %v, want stale %v", tt.header[0], err, tt.wantStale)
		}
	}
	s.add(d)
	if _, err := s.judge(b.Header); err == nil || err.outcome != Stale {
		t.Errorf("two blocks on: %v, want stale", err)
	}
	for i := range keptJobs {
		s.add(&Job{Header: [32]byte{9, byte(i)}, Height: 8})
	}
	if _, err := s.judge(a.Header); err == nil || err.outcome != Stale || !strings.Contains(err.Error(), "too old") {
		t.Errorf("forgotten job: %v, want stale (too old)", err)
	}
}

func getStats(t *testing.T, base string) Stats {
	t.Helper()
	var s Stats
	if err := json.Unmarshal([]byte(get(t, base+"/stats")), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
