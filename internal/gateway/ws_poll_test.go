package gateway

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ethfleet/ethfleet/internal/await"
)

// TestIdleConnectionsHaveNoGoroutine subscribes many clients: with the
// poller they add no goroutine while idle, yet each gets its heads,
// answers to its calls (read after the poller re-armed its socket), and
// its subscription dropped once it goes away, with or without a close
// frame.
func TestIdleConnectionsHaveNoGoroutine(t *testing.T) {
	forEachReader(t, testIdleConnections)
}

func testIdleConnections(t *testing.T, polled bool) {
	s, url := serveFeedOnly(t, polled)
	const clients = 200
	before := runtime.NumGoroutine()
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		conns[i] = subscribeHeads(t, url)
	}
	// The client side has no goroutine per connection; other tests'
	// goroutines may come and go meanwhile, hence the margins.
	if added := runtime.NumGoroutine() - before; polled && added > clients/4 {
		t.Errorf("%d idle connections added %d goroutines", clients, added)
	} else if !polled && added < clients*3/4 {
		t.Errorf("%d connections read by goroutines added only %d", clients, added)
	}
	s.heads.publish(json.RawMessage(`{"number":"0x7"}`))
	for i, conn := range conns {
		wsRead(t, conn, `"number":"0x7"`)
		wsCall(t, conn, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_unsubscribe","params":["0x00"]}`, i), `"result":false`)
		wsCall(t, conn, `{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["bogus"]}`, `"error"`)
	}
	// Half go without a word, half with a close frame.
	for i, conn := range conns {
		if i%2 == 0 {
			conn.Close()
		} else {
			conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
		}
	}
	await.True(t, 10*time.Second, "every subscription dropped", func() bool {
		s.heads.mu.Lock()
		defer s.heads.mu.Unlock()
		n := 0
		s.conns.Range(func(any, any) bool { n++; return true })
		return len(s.heads.subs) == 0 && n == 0
	})
}

// subscribeHeads connects to url and subscribes to newHeads; the
// connection closes when the test ends.
func subscribeHeads(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	wsCall(t, conn, `{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}`, `"result":"0x`)
	conn.SetReadDeadline(time.Time{}) // wsCall's
	return conn
}

// wsCall sends msg and reads the answer, which must contain want.
func wsCall(t *testing.T, conn *websocket.Conn, msg, want string) {
	t.Helper()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	wsRead(t, conn, want)
}

func wsRead(t *testing.T, conn *websocket.Conn, want string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, got, err := conn.ReadMessage()
	if err != nil || !strings.Contains(string(got), want) {
		t.Fatalf("got %s, %v; want %s", got, err, want)
	}
}
