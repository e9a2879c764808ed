package agent

import "time"

// Sample is one point of a lag series.
type Sample struct {
	// T is the sample's time in Unix milliseconds, as charts want it.
	T      int64   `json:"t"`
	Blocks int64   `json:"blocks"`
	Secs   float64 `json:"seconds"`
}

// series is a bounded ring of samples, oldest first when read.
type series struct {
	buf  []Sample
	next int
	full bool
}

func newSeries(n int) *series { return &series{buf: make([]Sample, n)} }

func (s *series) add(at time.Time, blocks int64, secs float64) {
	s.buf[s.next] = Sample{T: at.UnixMilli(), Blocks: blocks, Secs: secs}
	s.next = (s.next + 1) % len(s.buf)
	if s.next == 0 {
		s.full = true
	}
}

// since returns the samples after t (Unix ms), oldest first.
func (s *series) since(t int64) []Sample {
	var out []Sample
	if s.full {
		out = append(out, s.buf[s.next:]...)
	}
	out = append(out, s.buf[:s.next]...)
	for i, x := range out {
		if x.T > t {
			return out[i:]
		}
	}
	return []Sample{}
}
