package gateway

import (
	"fmt"
	"sync"
	"time"
)

// An upstream that fails most of what it is sent, while its probe still
// finds it well (a node whose RPC is overloaded, or a proxy in front of it
// answering 502), is unfit until its failures age out of the window.
const (
	failureSpan = 10 * time.Second
	// minJudged is how many requests in the window it takes to judge.
	minJudged = 10
	// maxFailureShare is the share of failed requests that makes an
	// upstream unfit.
	maxFailureShare = 0.5
)

// failureWindow counts an upstream's requests and transport failures over
// the last failureSpan, in one-second buckets.
type failureWindow struct {
	mu      sync.Mutex
	buckets [failureSpan / time.Second]failureBucket
}

type failureBucket struct {
	second        int64
	total, failed int
}

// record counts one request sent at now.
func (w *failureWindow) record(now time.Time, failed bool) {
	sec := now.Unix()
	w.mu.Lock()
	defer w.mu.Unlock()
	b := &w.buckets[sec%int64(len(w.buckets))]
	if b.second != sec {
		*b = failureBucket{second: sec}
	}
	b.total++
	if failed {
		b.failed++
	}
}

// counts returns the requests and failures of the window ending at now.
func (w *failureWindow) counts(now time.Time) (total, failed int) {
	sec := now.Unix()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range w.buckets {
		if b.second > sec-int64(len(w.buckets)) && b.second <= sec {
			total += b.total
			failed += b.failed
		}
	}
	return total, failed
}

// markFailing makes unfit every fit upstream that failed more than
// maxFailureShare of its recent requests, as long as one fit upstream is
// left that did not: when every upstream fails, the fault is more likely
// the requests'.
func markFailing(v *View, upstreams []*Upstream, now time.Time) {
	var failing []int
	healthy := false
	for i := range v.Upstreams {
		s := &v.Upstreams[i]
		if !s.Fit {
			continue
		}
		s.Requests, s.Failures = upstreams[i].failures.counts(now)
		if s.Requests >= minJudged && float64(s.Failures) > maxFailureShare*float64(s.Requests) {
			failing = append(failing, i)
		} else {
			healthy = true
		}
	}
	if !healthy {
		return
	}
	for _, i := range failing {
		s := &v.Upstreams[i]
		s.Fit = false
		s.Reason = fmt.Sprintf("%d of its last %d requests failed", s.Failures, s.Requests)
		v.Fit--
	}
}
