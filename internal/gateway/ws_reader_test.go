package gateway

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// clientFrame is a frame as a client sends it: masked.
func clientFrame(fin bool, op byte, payload []byte) []byte {
	b := appendFrameHeader(nil, op, len(payload))
	if !fin {
		b[0] &^= 0x80
	}
	b[1] |= 0x80
	mask := [4]byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, mask[:]...)
	for i, c := range payload {
		b = append(b, c^mask[i&3])
	}
	return b
}

// got is what a reader returned: a message or control frame.
type got struct {
	op      byte
	payload string
}

// TestWSReader reads frames sent over a real TCP connection (and, the
// last case, through the path TLS connections take) and checks the
// messages and control frames that come out, and the close code a breach
// of the protocol gets.
func TestWSReader(t *testing.T) {
	big := strings.Repeat("0123456789", 7000) // 70,000 bytes: a 64-bit length, several reads
	cat := func(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
	f := clientFrame
	tests := []struct {
		name    string
		in      []byte
		limit   int64
		generic bool // read through the connection, not its socket
		want    []got
		code    int // 0: the input ends cleanly (io.EOF)
	}{
		{name: "one message", in: f(true, opText, []byte(`{"id":1}`)), want: []got{{opText, `{"id":1}`}}},
		{name: "empty message", in: f(true, opText, nil), want: []got{{opText, ""}}},
		{name: "16-bit length", in: f(true, 2, []byte(strings.Repeat("a", 300))), want: []got{{2, strings.Repeat("a", 300)}}},
		{name: "64-bit length", in: f(true, opText, []byte(big)), want: []got{{opText, big}}},
		{name: "two in one write", in: cat(f(true, opText, []byte("a")), f(true, opText, []byte("b"))), want: []got{{opText, "a"}, {opText, "b"}}},
		{name: "fragments with a ping between", in: cat(f(false, opText, []byte("ab")), f(true, opPing, []byte("p")), f(false, 0, []byte("cd")), f(true, 0, []byte("ef"))),
			want: []got{{opPing, "p"}, {opText, "abcdef"}}},
		{name: "close", in: f(true, opClose, []byte{0x03, 0xe8}), want: []got{{opClose, "\x03\xe8"}}},
		{name: "unmasked", in: appendFrameHeader(nil, opText, 0), code: websocket.CloseProtocolError},
		{name: "reserved bit", in: func() []byte { b := f(true, opText, nil); b[0] |= 0x40; return b }(), code: websocket.CloseProtocolError},
		{name: "reserved opcode", in: f(true, 3, nil), code: websocket.CloseProtocolError},
		{name: "control frame in fragments", in: f(false, opPing, nil), code: websocket.CloseProtocolError},
		{name: "control frame over 125 bytes", in: f(true, opPing, make([]byte, 126)), code: websocket.CloseProtocolError},
		{name: "continuation first", in: f(true, 0, []byte("x")), code: websocket.CloseProtocolError},
		{name: "message inside a message", in: cat(f(false, opText, []byte("a")), f(true, opText, []byte("b"))), code: websocket.CloseProtocolError},
		{name: "frame over the limit", in: f(true, opText, make([]byte, 2000)), limit: 1024, code: websocket.CloseMessageTooBig},
		{name: "fragments over the limit together", in: cat(f(false, opText, make([]byte, 600)), f(true, 0, make([]byte, 600))), limit: 1024, code: websocket.CloseMessageTooBig},
		{name: "cut short", in: f(true, opText, []byte("abcdef"))[:5]},
		{name: "through the connection", in: cat(f(false, opText, []byte(big[:40000])), f(true, 0, []byte(big[40000:]))), generic: true, want: []got{{opText, big}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, client := tcpPair(t)
			go func() {
				client.Write(tt.in)
				client.(*net.TCPConn).CloseWrite()
			}()
			limit := tt.limit
			if limit == 0 {
				limit = 1 << 20
			}
			var conn net.Conn = server
			if tt.generic {
				conn = struct{ net.Conn }{server} // not a *net.TCPConn
			}
			r := newWSReader(conn, limit)
			if (r.rc == nil) != tt.generic {
				t.Fatalf("read through the socket: %v", r.rc != nil)
			}
			var msgs []got
			var err error
			for {
				var op byte
				var p []byte
				if op, p, err = r.next(true); err != nil {
					break
				}
				msgs = append(msgs, got{op, string(p)})
			}
			if len(msgs) != len(tt.want) {
				t.Fatalf("got %d messages, want %d (error %v)", len(msgs), len(tt.want), err)
			}
			for i := range msgs {
				if msgs[i] != tt.want[i] {
					t.Fatalf("message %d: op %d, %.40q; want op %d, %.40q", i, msgs[i].op, msgs[i].payload, tt.want[i].op, tt.want[i].payload)
				}
			}
			var pe *wsProtocolError
			switch {
			case tt.code == 0 && !errors.Is(err, io.EOF):
				t.Fatalf("error %v, want io.EOF", err)
			case tt.code != 0 && (!errors.As(err, &pe) || pe.code != tt.code):
				t.Fatalf("error %v, want close code %d", err, tt.code)
			}
		})
	}
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// TestFramesWrittenByGorilla has gorilla/websocket's client send messages
// of every header length, in fragments where they pass its write buffer,
// with pings between, and reads them with the gateway's reader.
func TestFramesWrittenByGorilla(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 65535, 65536, 1 << 20}
	type result struct {
		msgs []got
		err  error
	}
	done := make(chan result, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		in := newWSReader(conn.NetConn(), 2<<20)
		var res result
		for {
			op, p, err := in.next(true)
			if err != nil {
				res.err = err
				break
			}
			res.msgs = append(res.msgs, got{op, string(p)})
		}
		done <- res
	}))
	defer hs.Close()
	d := websocket.Dialer{WriteBufferSize: 512} // messages past it go in fragments
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(hs.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []got
	for _, n := range sizes {
		p := bytes.Repeat([]byte{'y'}, n)
		if err := conn.WriteMessage(websocket.TextMessage, p); err != nil {
			t.Fatal(err)
		}
		if err := conn.WriteMessage(websocket.PingMessage, []byte("hi")); err != nil {
			t.Fatal(err)
		}
		want = append(want, got{opText, string(p)}, got{opPing, "hi"})
	}
	conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	want = append(want, got{opClose, "\x03\xe8"})
	conn.Close()
	res := <-done
	if len(res.msgs) != len(want) {
		t.Fatalf("got %d messages, want %d (error %v)", len(res.msgs), len(want), res.err)
	}
	for i := range want {
		if res.msgs[i] != want[i] {
			t.Fatalf("message %d: op %d, %d bytes; want op %d, %d bytes", i, res.msgs[i].op, len(res.msgs[i].payload), want[i].op, len(want[i].payload))
		}
	}
}

// FuzzWSReader reads arbitrary bytes as a client's frames: the reader
// must not panic, loop, or return a message over its limit. The same bytes
// sent as one message in fragments of frag bytes must come back whole.
func FuzzWSReader(f *testing.F) {
	f.Add(clientFrame(true, opText, []byte(`{"jsonrpc":"2.0"}`)), uint16(3))
	f.Add(bytes.Join([][]byte{clientFrame(false, opText, []byte("ab")), clientFrame(true, opPing, nil), clientFrame(true, 0, []byte("c"))}, nil), uint16(1))
	f.Add([]byte{0x81, 0xfe, 0xff, 0xff}, uint16(0))
	f.Add([]byte{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0}, uint16(100))
	const limit = 4096
	f.Fuzz(func(t *testing.T, data []byte, frag uint16) {
		r := &wsReader{conn: bytes.NewReader(data), limit: limit}
		for range len(data) + 1 {
			op, p, err := r.next(true)
			if err != nil {
				break
			}
			if op >= opClose && len(p) > 125 || len(p) > limit {
				t.Fatalf("op %d with %d bytes", op, len(p))
			}
		}
		if len(data) > limit {
			return
		}
		step := max(1, int(frag))
		var in []byte
		for i := 0; i == 0 || i < len(data); i += step {
			chunk := data[i:min(i+step, len(data))]
			op := byte(0)
			if i == 0 {
				op = opText
			}
			in = append(in, clientFrame(i+step >= len(data), op, chunk)...)
		}
		r = &wsReader{conn: bytes.NewReader(in), limit: limit}
		op, p, err := r.next(true)
		if err != nil || op != opText || !bytes.Equal(p, data) {
			t.Fatalf("sent %d bytes in fragments of %d: got op %d, %d bytes, %v", len(data), step, op, len(p), err)
		}
	})
}
