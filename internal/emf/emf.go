package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Limits of the EMF specification and of CloudWatch.
const (
	// MaxMetricsPerDirective is how many metrics one MetricDirective may
	// list; a Write with more splits them over several directives of the
	// same line.
	MaxMetricsPerDirective = 100
	// MaxDimensions is how many dimension keys one DimensionSet may hold.
	MaxDimensions = 30
	maxNameLen    = 255
	maxValueLen   = 1024
)

// awsKey is the root member holding the metadata.
const awsKey = "_aws"

// Metric is one value and its unit.
type Metric struct {
	Value float64
	Unit  Unit
}

// Writer writes EMF lines to Out. Every metric of a Write gets all of
// Dimensions, as one DimensionSet. A Writer is safe for concurrent use;
// each Write is one Out.Write call of one whole line. Do not copy a
// Writer after its first use.
type Writer struct {
	// Out receives the lines, e.g. os.Stdout of a container whose logs go
	// to CloudWatch Logs.
	Out io.Writer
	// Namespace is the CloudWatch namespace of every metric (required).
	Namespace string
	// Dimensions are names and values that identify the metrics, such as
	// {"node": "geth-1"}.
	Dimensions map[string]string

	mu sync.Mutex
}

// Write writes one line holding metrics, stamped with at (CloudWatch
// keeps milliseconds). Names and dimensions are written in sorted order,
// so the same input always gives the same line. An empty map writes
// nothing. Write writes nothing and returns an error for input
// CloudWatch would reject: no namespace, an empty or overlong name, a
// name that is also a dimension, a value that is NaN or infinite, an
// unknown unit, more than MaxDimensions dimensions.
func (w *Writer) Write(metrics map[string]Metric, at time.Time) error {
	if len(metrics) == 0 {
		return nil
	}
	line, err := w.line(metrics, at)
	if err != nil {
		return fmt.Errorf("emf: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.Out.Write(line); err != nil {
		return fmt.Errorf("emf: writing: %w", err)
	}
	return nil
}

// directive is a MetricDirective.
type directive struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []definition `json:"Metrics"`
}

// definition is a MetricDefinition.
type definition struct {
	Name string `json:"Name"`
	Unit Unit   `json:"Unit,omitempty"`
}

// metadata is the "_aws" member.
type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// line builds one EMF line: "_aws" first, then the dimensions and the
// metrics, each in sorted order.
func (w *Writer) line(metrics map[string]Metric, at time.Time) ([]byte, error) {
	dims := slices.Sorted(maps.Keys(w.Dimensions))
	names := slices.Sorted(maps.Keys(metrics))
	if err := w.check(dims, names, metrics); err != nil {
		return nil, err
	}

	meta := metadata{Timestamp: at.UnixMilli()}
	for chunk := range slices.Chunk(names, MaxMetricsPerDirective) {
		d := directive{Namespace: w.Namespace, Dimensions: [][]string{dims}}
		if dims == nil {
			d.Dimensions = [][]string{{}}
		}
		for _, name := range chunk {
			d.Metrics = append(d.Metrics, definition{Name: name, Unit: metrics[name].Unit})
		}
		meta.CloudWatchMetrics = append(meta.CloudWatchMetrics, d)
	}

	var buf bytes.Buffer
	buf.WriteByte('{')
	writeMember(&buf, awsKey, meta)
	for _, k := range dims {
		buf.WriteByte(',')
		writeMember(&buf, k, w.Dimensions[k])
	}
	for _, name := range names {
		buf.WriteByte(',')
		writeMember(&buf, name, metrics[name].Value)
	}
	buf.WriteString("}\n")
	return buf.Bytes(), nil
}

// writeMember writes "key":value. Everything written was checked to
// marshal (strings, finite numbers, the metadata structs).
func writeMember(buf *bytes.Buffer, key string, value any) {
	k, _ := json.Marshal(key)
	v, err := json.Marshal(value)
	if err != nil {
		panic(fmt.Sprintf("emf: %q: %v", key, err))
	}
	buf.Write(k)
	buf.WriteByte(':')
	buf.Write(v)
}

// check returns every problem with the input in one error, or nil.
func (w *Writer) check(dims, names []string, metrics map[string]Metric) error {
	var errs []string
	if w.Namespace == "" || len(w.Namespace) > maxNameLen {
		errs = append(errs, fmt.Sprintf("namespace %q: want 1 to %d characters", w.Namespace, maxNameLen))
	}
	if len(dims) > MaxDimensions {
		errs = append(errs, fmt.Sprintf("%d dimensions, at most %d", len(dims), MaxDimensions))
	}
	for _, k := range dims {
		v := w.Dimensions[k]
		switch {
		case k == awsKey || k == "" || len(k) > maxNameLen:
			errs = append(errs, fmt.Sprintf("dimension name %q", k))
		case strings.TrimSpace(v) == "" || len(v) > maxValueLen:
			errs = append(errs, fmt.Sprintf("dimension %s: value %q: want 1 to %d characters, not all blank", k, v, maxValueLen))
		}
	}
	for _, name := range names {
		m := metrics[name]
		_, isDimension := w.Dimensions[name]
		switch {
		case name == awsKey || name == "" || len(name) > maxNameLen:
			errs = append(errs, fmt.Sprintf("metric name %q", name))
		case isDimension:
			errs = append(errs, fmt.Sprintf("metric %s: also a dimension", name))
		case math.IsNaN(m.Value) || math.IsInf(m.Value, 0):
			errs = append(errs, fmt.Sprintf("metric %s: value %v", name, m.Value))
		case m.Unit != "" && !units[m.Unit]:
			errs = append(errs, fmt.Sprintf("metric %s: unknown unit %q", name, m.Unit))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.New(strings.Join(errs, "; "))
}
