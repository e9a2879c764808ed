package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var samples []time.Duration
	for i := 100; i >= 1; i-- {
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	p := summarize(samples)
	want := percentiles{N: 100, P50: 50 * time.Millisecond, P90: 90 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	if p != want {
		t.Fatalf("got %+v, want %+v", p, want)
	}
	if got := percentile([]time.Duration{7}, 0.5); got != 7 {
		t.Fatalf("one sample: got %v", got)
	}
	if got := percentile(nil, 0.99); got != 0 {
		t.Fatalf("no samples: got %v", got)
	}
	if got := percentile([]time.Duration{1, 2, 3}, 0.99); got != 3 {
		t.Fatalf("p99 of 3 samples: got %v", got)
	}
}

func TestMemStatus(t *testing.T) {
	rss, hwm, err := memStatus(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss <= 0 || hwm < rss {
		t.Fatalf("rss %d, hwm %d", rss, hwm)
	}
}

// TestMixesAreJSON checks every mix's bodies parse, and that params vary.
func TestMixesAreJSON(t *testing.T) {
	for name, mix := range mixes {
		seen := map[string]bool{}
		for i := range uint64(20) {
			body := mix(nil, i, 100, 8)
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatalf("%s %d: %s: %v", name, i, body, err)
			}
			seen[string(body)] = true
		}
		if len(seen) < 20 {
			t.Errorf("%s: only %d different bodies of 20", name, len(seen))
		}
	}
	if b := string(appendCall(nil, "fullBlock", 3, 100, 8)); !strings.Contains(b, `"params":["0x67",true]`) {
		t.Errorf("fullBlock: %s", b)
	}
}

func TestParseHead(t *testing.T) {
	msg := []byte(`{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xab","result":{"baseFeePerGas":"0x7","extraData":"0x186a5c0e7e9b2a40","number":"0x3f2","parentHash":"0x00"}}}`)
	n, emit, ok := parseHead(msg)
	if !ok || n != 0x3f2 || emit != 0x186a5c0e7e9b2a40 {
		t.Fatalf("got %d %x %v", n, emit, ok)
	}
	if _, _, ok := parseHead([]byte(`{"jsonrpc":"2.0","id":1,"result":"0xab"}`)); ok {
		t.Fatal("a reply parsed as a head")
	}
}

func TestParseServers(t *testing.T) {
	got, err := parseServers("gateway:12,34")
	if err != nil || len(got) != 2 || got[0] != (server{"gateway", 12}) || got[1] != (server{"34", 34}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := parseServers("gateway:x"); err == nil {
		t.Fatal("no error for a bad pid")
	}
}
