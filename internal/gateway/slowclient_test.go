package gateway

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ethfleet/ethfleet/internal/await"
)

// TestSlowClientIsClosed subscribes and never reads: once its queues are
// full, the gateway closes it with 1008 and a reason instead of buffering.
func TestSlowClientIsClosed(t *testing.T) {
	forEachReader(t, testSlowClientIsClosed)
}

func testSlowClientIsClosed(t *testing.T, polled bool) {
	s, url := serveFeedOnly(t, polled)
	conn := subscribeHeads(t, url)
	header := json.RawMessage(`{"number":"0x1","extra":"` + strings.Repeat("ab", 512) + `"}`)
	await.True(t, 30*time.Second, "the slow client to be dropped", func() bool {
		for i := 0; i < 1000; i++ {
			s.heads.publish(header)
		}
		s.heads.mu.Lock()
		defer s.heads.mu.Unlock()
		return len(s.heads.subs) == 0
	})
	// Draining what was queued ends in the close frame.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !asCloseError(err, &ce) || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "too slow") {
			t.Fatalf("connection ended with %v, want close 1008 (too slow)", err)
		}
		return
	}
}

// serveFeedOnly serves a gateway without upstreams, whose head feed a
// test publishes to itself; it returns the server and its WebSocket URL.
// With polled, its connections are read as Run reads them where the
// system has a poller; without, each by a goroutine of its own.
func serveFeedOnly(t *testing.T, polled bool) (*Server, string) {
	t.Helper()
	s, err := NewServer(Config{MaxBatch: 10, MaxBodyBytes: 1 << 20, RequestTimeout: 5 * time.Second}, newTestRouter(t, nil), nil, newRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if polled {
		p, err := newWSPoller()
		if err != nil {
			t.Skipf("no poller: %v", err)
		}
		s.poller.Store(p)
		go p.run()
		t.Cleanup(p.stop)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, "ws" + strings.TrimPrefix(hs.URL, "http")
}

func asCloseError(err error, target **websocket.CloseError) bool {
	ce, ok := err.(*websocket.CloseError)
	if ok {
		*target = ce
	}
	return ok
}

// forEachReader runs test with connections read by the poller, and by a
// goroutine each.
func forEachReader(t *testing.T, test func(t *testing.T, polled bool)) {
	for _, polled := range []bool{true, false} {
		name := "goroutine"
		if polled {
			name = "poller"
		}
		t.Run(name, func(t *testing.T) { test(t, polled) })
	}
}
