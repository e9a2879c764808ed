package gateway

import (
	"encoding/json"
	"sync"
	"testing"
)

func TestBlockNeeded(t *testing.T) {
	tests := []struct {
		method, params string
		want           uint64
		ok             bool
	}{
		{"eth_getBlockByNumber", `["0x1b4",false]`, 0x1b4, true},
		{"eth_getBlockByNumber", `["latest",false]`, 0, false},
		{"eth_getBalance", `["0x0000000000000000000000000000000000000001","0x10"]`, 16, true},
		{"eth_getBalance", `["0x0000000000000000000000000000000000000001"]`, 0, false},
		{"eth_call", `[{"to":"0x01"},{"blockNumber":"0x20"}]`, 32, true},
		{"eth_call", `[{"to":"0x01"},{"blockHash":"0xabc"}]`, 0, false},
		{"eth_getStorageAt", `["0x01","0x0","0x7"]`, 7, true},
		{"eth_getLogs", `[{"fromBlock":"0x1","toBlock":"0x9"}]`, 9, true},
		{"eth_getLogs", `[{"fromBlock":"0x1"}]`, 0, false},
		{"eth_chainId", `[]`, 0, false},
		{"eth_getBlockByNumber", `["0xzz",false]`, 0, false},
		{"eth_getBlockByNumber", `{"a":1}`, 0, false},
	}
	for _, tt := range tests {
		n, ok := blockNeeded(&request{Method: tt.method, Params: json.RawMessage(tt.params)})
		if n != tt.want || ok != tt.ok {
			t.Errorf("blockNeeded(%s %s) = %d, %v; want %d, %v", tt.method, tt.params, n, ok, tt.want, tt.ok)
		}
	}
}

func TestCandidatesForBlock(t *testing.T) {
	var ups []*Upstream
	for i, head := range []uint64{10, 9, 10} {
		p := &fakeProbe{}
		p.Set(fitStatus(string(rune('a'+i)), head))
		ups = append(ups, NewUpstream(string(rune('a'+i)), nil, p))
	}
	r := newTestRouter(t, ups)
	for i := 0; i < 50; i++ {
		for _, u := range r.candidatesFor(10) {
			if u.name == "b" {
				t.Fatal("b, at 9, offered for block 10")
			}
		}
		if got := len(r.candidatesFor(9)); got != 3 {
			t.Fatalf("%d candidates for block 9, want 3", got)
		}
		if got := len(r.candidatesFor(11)); got != 3 {
			t.Fatalf("%d candidates for block 11 that nobody has, want all 3", got)
		}
	}
}

func TestWatermarkNeverGoesBack(t *testing.T) {
	var w watermark
	for _, tt := range []struct{ in, want uint64 }{{5, 5}, {7, 7}, {6, 7}, {7, 7}, {8, 8}} {
		if got := w.raise(tt.in); got != tt.want {
			t.Errorf("raise(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := uint64(0)
			for n := uint64(0); n < 1000; n++ {
				got := w.raise(n)
				if got < last {
					t.Errorf("went back from %d to %d", last, got)
					return
				}
				last = got
			}
		}()
	}
	wg.Wait()
}
