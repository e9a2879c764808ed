package autoscale

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/emf"
)

// The example answer of the pool's GET /stats contract.
const statsJSON = `{"window":"10m0s","workers":[{"name":"w1","hashrate":123.4,"low":110.0,"high":137.0,"shares":{"accepted":384,"stale":2,"invalid":1,"duplicate":0},"difficulty":100000,"reported":150.0}],"total":{"hashrate":123.4,"low":110.0,"high":137.0,"shares":{"accepted":384,"stale":2,"invalid":1,"duplicate":0},"reported":150.0},"blocks":1}`

func TestPoolSource(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/stats" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(statsJSON))
	}))
	defer srv.Close()

	got, err := PoolSource{URL: srv.URL + "/stats"}.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rate := Rate{Hashrate: 123.4, Low: 110, High: 137, Shares: Shares{Accepted: 384, Stale: 2, Invalid: 1}, Reported: 150}
	want := Stats{Window: "10m0s", Workers: []WorkerStats{{Name: "w1", Rate: rate, Difficulty: 100000}}, Total: rate, Blocks: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stats\n  %+v\nwant\n  %+v", got, want)
	}

	// And back: the same JSON members.
	var a, b any
	out, _ := json.Marshal(got)
	json.Unmarshal(out, &a)
	json.Unmarshal([]byte(statsJSON), &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("round trip\n  %s\nwant\n  %s", out, statsJSON)
	}

	if _, err := (PoolSource{URL: srv.URL + "/nope"}).Stats(t.Context()); err == nil {
		t.Error("a 404 is not an error")
	}
}

func TestEMFAndHistory(t *testing.T) {
	var out bytes.Buffer
	prov := &fakeProvider{desired: 2, running: 2}
	c, err := New(Options{Policy: basePolicy(), Source: &simPool{p: prov, perMiner: 30, noise: 0.1}, Provider: prov,
		EMF: &emf.Writer{Out: &out, Namespace: "ethfleet", Dimensions: map[string]string{"Provider": "fake"}}, History: 3})
	if err != nil {
		t.Fatal(err)
	}
	ds := steps(c, 2*time.Minute) // 5 steps; the last scales up to 5
	if got := c.Decisions(); !reflect.DeepEqual(got, ds[2:]) {
		t.Errorf("Decisions() kept %d, want the last 3", len(got))
	}
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	if len(lines) != 5 {
		t.Fatalf("%d EMF lines, want 5", len(lines))
	}
	var last map[string]any
	if err := json.Unmarshal(lines[4], &last); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]float64{"MinersDesired": 5, "MinersRunning": 2, "HashrateVerified": 60, "HashrateTargetLow": 100, "HashrateTargetHigh": 200, "AutoscaleChange": 1, "AutoscaleError": 0} {
		if last[k] != v {
			t.Errorf("%s = %v, want %v", k, last[k], v)
		}
	}
}
