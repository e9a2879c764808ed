package gateway

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ethfleet/ethfleet/internal/probe"
)

func TestNeedOf(t *testing.T) {
	const hash = "0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6"
	byHash := need{hash: common.HexToHash(hash)}
	tests := []struct {
		method, params string
		want           need
		ok             bool
	}{
		{"eth_getBlockByNumber", `["0x1b4",false]`, need{newest: 0x1b4, oldest: 0x1b4, keeps: true}, true},
		{"eth_getBlockByNumber", `["0x0",false]`, need{keeps: true}, true},
		{"eth_getBlockByNumber", `["latest",false]`, need{}, false},
		{"eth_getBlockByHash", `["` + hash + `",false]`, byHash, true},
		{"eth_getBalance", `["0x0000000000000000000000000000000000000001","0x10"]`, need{newest: 16, oldest: 16, keeps: true, data: stateData}, true},
		{"eth_getBalance", `["0x0000000000000000000000000000000000000001"]`, need{}, false},
		{"eth_call", `[{"to":"0x01"},{"blockNumber":"0x20"}]`, need{newest: 32, oldest: 32, keeps: true, data: stateData}, true},
		{"eth_call", `[{"to":"0x01"},{"blockHash":"` + hash + `"}]`, need{hash: byHash.hash, data: stateData}, true},
		{"eth_call", `[{"to":"0x01"},{"blockHash":"0xabc"}]`, need{}, false},
		{"eth_getStorageAt", `["0x01","0x0","0x7"]`, need{newest: 7, oldest: 7, keeps: true, data: stateData}, true},
		{"eth_getProof", `["0x01",[],"0x7"]`, need{newest: 7, oldest: 7, keeps: true, data: proofData}, true},
		{"eth_getBlockReceipts", `["0x7"]`, need{newest: 7, oldest: 7, keeps: true, data: receiptData}, true},
		{"eth_getLogs", `[{"fromBlock":"0x1","toBlock":"0x9"}]`, need{newest: 9, oldest: 1, keeps: true, data: logData}, true},
		{"eth_getLogs", `[{"fromBlock":"earliest","toBlock":"latest"}]`, need{keeps: true, data: logData}, true},
		{"eth_getLogs", `[{"fromBlock":"0x1"}]`, need{newest: 1, oldest: 1, keeps: true, data: logData}, true},
		{"eth_getHeaderByNumber", `["0x1b4"]`, need{newest: 0x1b4, oldest: 0x1b4, keeps: true}, true},
		{"eth_getHeaderByHash", `["` + hash + `"]`, byHash, true},
		{"eth_getLogs", `[{"blockHash":"` + hash + `"}]`, need{hash: byHash.hash, data: logData}, true},
		{"eth_getLogs", `[{"address":"0x01"}]`, need{}, false},
		{"eth_chainId", `[]`, need{}, false},
		{"eth_getBlockByNumber", `["0xzz",false]`, need{}, false},
		{"eth_getBlockByNumber", `{"a":1}`, need{}, false},
	}
	for _, tt := range tests {
		n, ok := needOf(&request{Method: tt.method, Params: json.RawMessage(tt.params)})
		if n != tt.want || ok != tt.ok {
			t.Errorf("needOf(%s %s) = %+v, %v; want %+v, %v", tt.method, tt.params, n, ok, tt.want, tt.ok)
		}
	}
}

func TestCandidatesFor(t *testing.T) {
	pruned := probe.History{Known: true, State: probe.Retention{Window: 128}, Logs: probe.Retention{Disabled: true}}
	archive := probe.History{Known: true}
	nodes := []struct {
		name    string
		head    uint64
		history probe.History
	}{
		{"a", 1000, pruned},
		{"b", 999, archive},
		{"c", 1000, probe.History{}}, // says nothing: assumed to keep all
	}
	var ups []*Upstream
	for _, n := range nodes {
		p := &fakeProbe{}
		s := fitStatus(n.name, n.head)
		s.History = n.history
		p.Set(s)
		ups = append(ups, NewUpstream(n.name, nil, p))
	}
	r := newTestRouter(t, ups)
	state := func(n uint64) need { return need{newest: n, oldest: n, keeps: true, data: stateData} }
	tests := []struct {
		name  string
		needs []need
		want  string
	}{
		{"nothing named", nil, "abc"},
		{"block 1000: not b, at 999", []need{{newest: 1000, oldest: 1000, keeps: true}}, "ac"},
		{"block 999", []need{{newest: 999, oldest: 999, keeps: true}}, "abc"},
		{"state of block 873: in a's window", []need{state(873)}, "abc"},
		{"state of block 872: not in a's window", []need{state(872)}, "bc"},
		{"logs: a keeps no index", []need{{keeps: true, data: logData}}, "bc"},
		{"old state and the newest block together", []need{state(10), {newest: 1000, oldest: 1000, keeps: true}}, "c"},
		{"block 1001 that nobody has: everyone", []need{{newest: 1001, oldest: 1001, keeps: true}}, "abc"},
	}
	for _, tt := range tests {
		for i := 0; i < 20; i++ { // candidates come in varying order
			var got []string
			for _, u := range r.candidatesFor(tt.needs) {
				got = append(got, u.name)
			}
			slices.Sort(got)
			if strings.Join(got, "") != tt.want {
				t.Fatalf("%s: candidates %v, want %s", tt.name, got, tt.want)
			}
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
