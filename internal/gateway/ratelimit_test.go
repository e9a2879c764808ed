package gateway

import (
	"testing"
	"time"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLimiter(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := newLimiter(RateLimits{
		PerKey:     &Limit{Rate: 10, Burst: 5},
		PerIP:      &Limit{Rate: 1, Burst: 3},
		MethodCost: map[string]int{"eth_getLogs": 3},
	}, clock.now)

	if c := l.cost([]call{{req: request{Method: "eth_call"}}, {req: request{Method: "eth_getLogs"}}, {answer: &response{}}}); c != 4 {
		t.Fatalf("cost = %d, want 4", c)
	}
	// The IP bucket (3) binds before the key bucket (5).
	for i := 0; i < 3; i++ {
		if ok, _ := l.allow("backend", "10.0.0.1", 1); !ok {
			t.Fatalf("call %d refused within the burst", i)
		}
	}
	ok, wait := l.allow("backend", "10.0.0.1", 1)
	if ok || wait != time.Second {
		t.Fatalf("4th call: ok=%v wait=%s, want refused for 1s", ok, wait)
	}
	// Another IP on the same key still has the key's last 2 tokens: a
	// refused request took nothing from either bucket.
	if ok, _ := l.allow("backend", "10.0.0.2", 2); !ok {
		t.Fatal("other IP refused while the key had tokens left")
	}
	if ok, _ := l.allow("backend", "10.0.0.3", 1); ok {
		t.Fatal("key's bucket should be empty")
	}
	clock.advance(time.Second)
	if ok, _ := l.allow("backend", "10.0.0.1", 1); !ok {
		t.Fatal("refused after the bucket refilled")
	}
	if ok, wait := l.allow("", "10.0.0.9", 4); ok || wait >= 0 {
		t.Fatalf("cost above the burst: ok=%v wait=%s, want refused for ever", ok, wait)
	}
	if ok, _ := l.allow("", "10.0.0.9", 3); !ok {
		t.Fatal("a refused oversized request must not take tokens")
	}
}

func TestLimiterOff(t *testing.T) {
	l := newLimiter(RateLimits{}, time.Now)
	for i := 0; i < 1000; i++ {
		if ok, _ := l.allow("k", "ip", 100); !ok {
			t.Fatal("refused with no limits")
		}
	}
}
