package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestFramesReadByGorilla writes frames of every header length the writer
// produces, and control frames, and reads them with gorilla/websocket's
// client.
func TestFramesReadByGorilla(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 127, 65535, 65536, 1 << 20}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		var frames []frame
		for _, n := range sizes {
			p := bytes.Repeat([]byte{'x'}, n)
			// Payloads in several parts, as notifications are.
			frames = append(frames, frame{op: opText, parts: [][]byte{p[:n/2], p[n/2:]}})
		}
		frames = append(frames, frame{op: opPing, parts: [][]byte{[]byte("hi")}},
			frame{op: opClose, parts: [][]byte{websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "bye")}})
		bufs := buffers(frames)
		bufs.WriteTo(conn.NetConn())
	}))
	defer hs.Close()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pinged := make(chan string, 1)
	conn.SetPingHandler(func(s string) error { pinged <- s; return nil })
	for _, n := range sizes {
		_, msg, err := conn.ReadMessage()
		if err != nil || len(msg) != n {
			t.Fatalf("frame of %d bytes: got %d bytes, %v", n, len(msg), err)
		}
	}
	_, _, err = conn.ReadMessage()
	var ce *websocket.CloseError
	if !asCloseError(err, &ce) || ce.Code != websocket.ClosePolicyViolation || ce.Text != "bye" {
		t.Fatalf("got %v, want close 1008 bye", err)
	}
	if got := <-pinged; got != "hi" {
		t.Fatalf("ping %q", got)
	}
}

// TestStuckClientsDoNotHoldOthersUp subscribes more clients that never
// read than there are pool writers, and one that reads: it gets every
// head while the stuck ones are closed for being too slow.
func TestStuckClientsDoNotHoldOthersUp(t *testing.T) {
	forEachReader(t, testStuckClientsDoNotHoldOthersUp)
}

func testStuckClientsDoNotHoldOthersUp(t *testing.T, polled bool) {
	s, url := serveFeedOnly(t, polled)
	for range 2 * wsWriters {
		subscribeHeads(t, url) // and never read again
	}
	good := subscribeHeads(t, url)

	const heads = 400 // 64 KiB each: far more than the stuck clients' socket buffers hold
	received := make(chan int, heads)
	go func() {
		defer close(received)
		for {
			_, msg, err := good.ReadMessage()
			if err != nil {
				return
			}
			var n struct {
				Params struct{ Result struct{ N int } }
			}
			json.Unmarshal(msg, &n)
			received <- n.Params.Result.N
		}
	}()
	pad := strings.Repeat("ab", 32<<10)
	for i := range heads {
		s.heads.publish(json.RawMessage(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, pad)))
		// Paced as heads come: the good client keeps up, the stuck ones cannot.
		select {
		case got := <-received:
			if got != i {
				t.Fatalf("head %d arrived as %d", i, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("head %d not delivered within 10 s: a stuck client holds the writers up", i)
		}
	}
	s.heads.mu.Lock()
	left := len(s.heads.subs)
	s.heads.mu.Unlock()
	if left != 1 {
		t.Errorf("%d subscriptions left, want only the good client's", left)
	}
}
