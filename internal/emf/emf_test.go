package emf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var at = time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, time.UTC)

func TestLine(t *testing.T) {
	var out bytes.Buffer
	w := &Writer{Out: &out, Namespace: "ethfleet", Dimensions: map[string]string{"node": "geth-1", "network": "sepolia"}}
	err := w.Write(map[string]Metric{
		"lag_blocks": {Value: 2, Unit: Count},
		"peers":      {Value: 31, Unit: Count},
		"rtt":        {Value: 12.5, Unit: Milliseconds},
		"synced":     {Value: 1},
	}, at)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_aws":{"Timestamp":1772600767891,"CloudWatchMetrics":[{"Namespace":"ethfleet","Dimensions":[["network","node"]],` +
		`"Metrics":[{"Name":"lag_blocks","Unit":"Count"},{"Name":"peers","Unit":"Count"},{"Name":"rtt","Unit":"Milliseconds"},{"Name":"synced"}]}]},` +
		`"network":"sepolia","node":"geth-1","lag_blocks":2,"peers":31,"rtt":12.5,"synced":1}` + "\n"
	if out.String() != want {
		t.Errorf("line\n  %s\nwant\n  %s", out.String(), want)
	}

	// The same, read back as CloudWatch reads it.
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	wantDoc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": float64(1772600767891),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  "ethfleet",
				"Dimensions": []any{[]any{"network", "node"}},
				"Metrics": []any{
					map[string]any{"Name": "lag_blocks", "Unit": "Count"},
					map[string]any{"Name": "peers", "Unit": "Count"},
					map[string]any{"Name": "rtt", "Unit": "Milliseconds"},
					map[string]any{"Name": "synced"},
				},
			}},
		},
		"network": "sepolia", "node": "geth-1",
		"lag_blocks": float64(2), "peers": float64(31), "rtt": 12.5, "synced": float64(1),
	}
	if !reflect.DeepEqual(doc, wantDoc) {
		t.Errorf("document\n  %v\nwant\n  %v", doc, wantDoc)
	}
	if at.UnixMilli() != 1772600767891 {
		t.Fatalf("the test's timestamp is off: %d", at.UnixMilli())
	}
}

// emfDoc is the part of an EMF document the tests read back.
type emfDoc struct {
	AWS struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
}

func TestManyMetricsSplitIntoDirectives(t *testing.T) {
	metrics := map[string]Metric{}
	for i := range 250 {
		metrics[fmt.Sprintf("m%03d", i)] = Metric{Value: float64(i), Unit: Count}
	}
	var out bytes.Buffer
	w := &Writer{Out: &out, Namespace: "ethfleet", Dimensions: map[string]string{"node": "geth-1"}}
	if err := w.Write(metrics, at); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Fatalf("%d lines, want 1", n)
	}
	var doc emfDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(out.Bytes(), &root); err != nil {
		t.Fatal(err)
	}
	dirs := doc.AWS.CloudWatchMetrics
	if len(dirs) != 3 {
		t.Fatalf("%d directives, want 3", len(dirs))
	}
	next := 0
	for i, d := range dirs {
		if want := []int{100, 100, 50}[i]; len(d.Metrics) != want {
			t.Errorf("directive %d has %d metrics, want %d", i, len(d.Metrics), want)
		}
		if d.Namespace != "ethfleet" || !reflect.DeepEqual(d.Dimensions, [][]string{{"node"}}) {
			t.Errorf("directive %d: namespace %q, dimensions %v", i, d.Namespace, d.Dimensions)
		}
		for _, m := range d.Metrics {
			if want := fmt.Sprintf("m%03d", next); m.Name != want || m.Unit != "Count" {
				t.Errorf("metric %+v, want %s in Count", m, want)
			}
			if v, ok := root[m.Name].(float64); !ok || v != float64(next) {
				t.Errorf("root %s = %v, want %d", m.Name, root[m.Name], next)
			}
			next++
		}
	}
	if root["node"] != "geth-1" {
		t.Errorf("root node = %v", root["node"])
	}
}

func TestDeterministic(t *testing.T) {
	metrics := map[string]Metric{}
	for i := range 40 {
		metrics[fmt.Sprintf("metric-%d", i)] = Metric{Value: float64(i) / 3, Unit: Seconds}
	}
	dims := map[string]string{"node": "geth-1", "az": "eu-west-1a", "role": "rpc", "client": "geth"}
	var first string
	for i := range 20 {
		var out bytes.Buffer
		w := &Writer{Out: &out, Namespace: "ethfleet", Dimensions: dims}
		if err := w.Write(metrics, at); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = out.String()
		} else if out.String() != first {
			t.Fatalf("write %d differs:\n  %s\n  %s", i, out.String(), first)
		}
	}
}

func TestNoDimensions(t *testing.T) {
	var out bytes.Buffer
	w := &Writer{Out: &out, Namespace: "ethfleet"}
	if err := w.Write(map[string]Metric{"up": {Value: 1, Unit: Count}}, at); err != nil {
		t.Fatal(err)
	}
	var doc emfDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// An empty DimensionSet: the metric has no dimensions.
	if d := doc.AWS.CloudWatchMetrics[0].Dimensions; !reflect.DeepEqual(d, [][]string{{}}) {
		t.Errorf("Dimensions = %#v, want [[]]", d)
	}
	if !strings.Contains(out.String(), `"Dimensions":[[]]`) {
		t.Errorf("line %s", out.String())
	}
}

func TestNothingToWrite(t *testing.T) {
	var out bytes.Buffer
	w := &Writer{Out: &out}
	if err := w.Write(nil, at); err != nil || out.Len() != 0 {
		t.Errorf("Write(nil) = %v, wrote %q", err, out.String())
	}
}

func TestRefuses(t *testing.T) {
	many := map[string]string{}
	for i := range 31 {
		many[fmt.Sprintf("d%d", i)] = "v"
	}
	long := strings.Repeat("x", 256)
	tests := []struct {
		name    string
		ns      string
		dims    map[string]string
		metrics map[string]Metric
		want    []string
	}{
		{"no namespace", "", nil, map[string]Metric{"a": {Value: 1}}, []string{`namespace ""`}},
		{"NaN and Inf", "ns", nil, map[string]Metric{"a": {Value: math.NaN()}, "b": {Value: math.Inf(1)}}, []string{"metric a: value NaN", "metric b: value +Inf"}},
		{"unknown unit", "ns", nil, map[string]Metric{"a": {Value: 1, Unit: "Blocks"}}, []string{`metric a: unknown unit "Blocks"`}},
		{"metric is a dimension", "ns", map[string]string{"node": "n"}, map[string]Metric{"node": {Value: 1}}, []string{"metric node: also a dimension"}},
		{"reserved name", "ns", nil, map[string]Metric{"_aws": {Value: 1}}, []string{`metric name "_aws"`}},
		{"long name", "ns", nil, map[string]Metric{long: {Value: 1}}, []string{"metric name"}},
		{"blank dimension value", "ns", map[string]string{"node": " "}, map[string]Metric{"a": {Value: 1}}, []string{`dimension node: value " "`}},
		{"too many dimensions", "ns", many, map[string]Metric{"a": {Value: 1}}, []string{"31 dimensions, at most 30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := &Writer{Out: &out, Namespace: tt.ns, Dimensions: tt.dims}
			err := w.Write(tt.metrics, at)
			if err == nil {
				t.Fatalf("Write = nil, wrote %s", out.String())
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %q despite the error", out.String())
			}
		})
	}
}

func TestConcurrentWritesKeepLinesWhole(t *testing.T) {
	var out bytes.Buffer
	w := &Writer{Out: &out, Namespace: "ethfleet", Dimensions: map[string]string{"node": "geth-1"}}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if err := w.Write(map[string]Metric{"g": {Value: float64(g)}, "i": {Value: float64(i)}}, at); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 400 {
		t.Fatalf("%d lines, want 400", len(lines))
	}
	for _, l := range lines {
		var doc emfDoc
		if err := json.Unmarshal([]byte(l), &doc); err != nil || len(doc.AWS.CloudWatchMetrics) != 1 {
			t.Fatalf("line %q: %v", l, err)
		}
	}
}

func TestUnits(t *testing.T) {
	// Every unit the specification's schema allows, and no other.
	spec := "Seconds|Microseconds|Milliseconds|Bytes|Kilobytes|Megabytes|Gigabytes|Terabytes|Bits|Kilobits|Megabits|Gigabits|Terabits|Percent|Count|" +
		"Bytes/Second|Kilobytes/Second|Megabytes/Second|Gigabytes/Second|Terabytes/Second|Bits/Second|Kilobits/Second|Megabits/Second|Gigabits/Second|Terabits/Second|Count/Second|None"
	names := strings.Split(spec, "|")
	if len(units) != len(names) {
		t.Errorf("%d units, the specification has %d", len(units), len(names))
	}
	for _, n := range names {
		if !units[Unit(n)] {
			t.Errorf("unit %q missing", n)
		}
	}
}
