package gateway

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a token bucket: Rate requests per second on average, bursts of
// up to Burst.
type Limit struct {
	Rate  float64
	Burst int
}

// RateLimits bound how much one API key and one client IP may ask. A nil
// limit does not apply. A call costs MethodCost[method], or 1.
type RateLimits struct {
	PerKey     *Limit
	PerIP      *Limit
	MethodCost map[string]int
}

// Bounds on the table of client IPs.
const (
	maxTrackedIPs = 100_000
	ipIdleAfter   = 10 * time.Minute
)

// limiter keeps one token bucket per key and per client IP.
type limiter struct {
	limits RateLimits
	now    func() time.Time

	mu    sync.Mutex
	keys  map[string]*rate.Limiter
	ips   map[string]*ipBucket
	swept time.Time
}

type ipBucket struct {
	*rate.Limiter
	seen time.Time
}

func newLimiter(limits RateLimits, now func() time.Time) *limiter {
	return &limiter{limits: limits, now: now, keys: map[string]*rate.Limiter{}, ips: map[string]*ipBucket{}}
}

// cost is what the calls still to forward take from the buckets.
func (l *limiter) cost(calls []call) int {
	n := 0
	for i := range calls {
		if calls[i].answer != nil {
			continue // answered by the gateway: not forwarded
		}
		if c, ok := l.limits.MethodCost[calls[i].req.Method]; ok {
			n += c
		} else {
			n++
		}
	}
	return n
}

// allow takes cost tokens from the key's and the IP's buckets, or from
// neither. When it refuses, it says how long until the request would pass,
// or -1 when it never would: it costs more than a bucket holds.
func (l *limiter) allow(key, ip string, cost int) (bool, time.Duration) {
	if cost == 0 || l.limits.PerKey == nil && l.limits.PerIP == nil {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var buckets []*rate.Limiter
	if l.limits.PerKey != nil && key != "" {
		b, ok := l.keys[key]
		if !ok {
			b = newBucket(*l.limits.PerKey)
			l.keys[key] = b
		}
		buckets = append(buckets, b)
	}
	if l.limits.PerIP != nil {
		buckets = append(buckets, l.ipBucket(ip, now))
	}
	var reservations []*rate.Reservation
	var wait time.Duration
	for _, b := range buckets {
		r := b.ReserveN(now, cost)
		reservations = append(reservations, r)
		if !r.OK() {
			wait = -1
			break
		} else if d := r.DelayFrom(now); d > wait {
			wait = d
		}
	}
	if wait == 0 {
		return true, 0
	}
	if wait < 0 {
		for _, r := range reservations {
			if r.OK() {
				r.CancelAt(now)
			}
		}
		return false, -1
	}
	for _, r := range reservations {
		r.CancelAt(now)
	}
	return false, wait
}

func newBucket(l Limit) *rate.Limiter { return rate.NewLimiter(rate.Limit(l.Rate), l.Burst) }

// ipBucket returns ip's bucket, dropping idle ones once the table is full.
func (l *limiter) ipBucket(ip string, now time.Time) *rate.Limiter {
	b, ok := l.ips[ip]
	if !ok {
		if len(l.ips) >= maxTrackedIPs && now.Sub(l.swept) > time.Minute {
			for k, v := range l.ips {
				if now.Sub(v.seen) > ipIdleAfter {
					delete(l.ips, k)
				}
			}
			l.swept = now
		}
		b = &ipBucket{Limiter: newBucket(*l.limits.PerIP)}
		l.ips[ip] = b
	}
	b.seen = now
	return b.Limiter
}
