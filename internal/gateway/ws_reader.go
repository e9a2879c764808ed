package gateway

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"

	"github.com/gorilla/websocket"
)

// The read side of the gateway's WebSocket connections. Each connection
// has one goroutine that reads, and most of the time it waits: idle
// subscribers are most connections. It waits in the runtime's poller a
// few calls deep, holding no buffer; once the socket has bytes they are
// read into a pooled buffer, and kept between reads only while a frame is
// incomplete. gorilla/websocket's reader keeps a buffer per connection
// and waits deep inside its frame parser, which grew every idle
// goroutine's stack to 4 KiB. gorilla still does the opening handshake.

// wsProtocolError is a client's breach of RFC 6455, answered with a close
// frame of its code before the connection closes.
type wsProtocolError struct {
	code   int
	reason string
}

func (e *wsProtocolError) Error() string { return e.reason }

func protocolError(format string, args ...any) error {
	return &wsProtocolError{code: websocket.CloseProtocolError, reason: fmt.Sprintf(format, args...)}
}

// wsFrame is one frame of a client's, its payload unmasked.
type wsFrame struct {
	fin     bool
	op      byte
	payload []byte
}

// parseFrame reads the frame at the start of b, unmasking its payload in
// place. It returns the bytes the frame takes, or 0 when b does not hold
// all of it yet. A frame longer than limit is refused from its header,
// before its payload is read.
func parseFrame(b []byte, limit int64) (f wsFrame, n int, err error) {
	if len(b) < 2 {
		return f, 0, nil
	}
	f.fin, f.op = b[0]&0x80 != 0, b[0]&0x0f
	switch {
	case b[0]&0x70 != 0:
		return f, 0, protocolError("reserved bits set: no extension was agreed")
	case f.op >= 3 && f.op <= 7 || f.op > opPong:
		return f, 0, protocolError("unknown opcode %d", f.op)
	case b[1]&0x80 == 0:
		return f, 0, protocolError("a client's frames must be masked")
	}
	size, head := uint64(b[1]&0x7f), 2
	switch size {
	case 126:
		if len(b) < 4 {
			return f, 0, nil
		}
		size, head = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return f, 0, nil
		}
		size, head = binary.BigEndian.Uint64(b[2:]), 10
	}
	switch {
	case f.op >= opClose && (!f.fin || size > 125):
		return f, 0, protocolError("a control frame must be whole and at most 125 bytes")
	case size > uint64(limit):
		return f, 0, &wsProtocolError{code: websocket.CloseMessageTooBig, reason: "message over the size limit"}
	}
	end := head + 4 + int(size)
	if len(b) < end {
		return f, 0, nil
	}
	mask := b[head : head+4]
	f.payload = b[head+4 : end]
	for i := range f.payload {
		f.payload[i] ^= mask[i&3]
	}
	return f, end, nil
}

// wsReader reads a client's messages from its connection.
type wsReader struct {
	conn  io.Reader
	rc    syscall.RawConn // conn's, when the bytes can be read from its socket
	limit int64           // the largest message, in bytes

	buf   []byte // read, not yet parsed; nil while no frame is incomplete
	msg   []byte // a message in fragments, so far
	msgOp byte   // its opcode; 0 while no message is in fragments
	small []byte // for connections read through conn (TLS)
}

func newWSReader(conn net.Conn, limit int64) *wsReader {
	r := &wsReader{conn: conn, limit: limit}
	if tcp, ok := conn.(*net.TCPConn); ok {
		r.rc, _ = tcp.SyscallConn()
	}
	return r
}

// errWouldBlock is next's answer, when told not to wait, once the socket
// has no more bytes.
var errWouldBlock = errors.New("no whole message yet")

// next returns the next data message, or a control frame (ping, pong,
// close) for the connection to answer. Control frames may come between a
// message's fragments. Unless wait is set, it returns errWouldBlock instead
// of waiting for bytes.
func (r *wsReader) next(wait bool) (op byte, payload []byte, err error) {
	for {
		f, n, err := parseFrame(r.buf, r.limit-int64(len(r.msg)))
		if err != nil {
			return 0, nil, err
		}
		if n == 0 {
			if err := r.fill(wait); err != nil {
				return 0, nil, err
			}
			continue
		}
		// f.payload is copied below, before r.buf is filled again.
		if r.buf = r.buf[n:]; len(r.buf) == 0 {
			r.buf = nil
		}
		switch {
		case f.op >= opClose:
			return f.op, append([]byte(nil), f.payload...), nil
		case f.op == 0 && r.msgOp == 0:
			return 0, nil, protocolError("a continuation frame without a message to continue")
		case f.op != 0 && r.msgOp != 0:
			return 0, nil, protocolError("a new message before the last one ended")
		case f.op != 0:
			r.msgOp, r.msg = f.op, append([]byte(nil), f.payload...)
		default:
			r.msg = append(r.msg, f.payload...)
		}
		if f.fin {
			op, payload = r.msgOp, r.msg
			r.msgOp, r.msg = 0, nil
			return op, payload, nil
		}
	}
}

// wsReadBuffers hold bytes from the time they are read from a socket until
// they are appended to a reader's buf.
var wsReadBuffers = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// fill appends what the connection has to r.buf, waiting until it has
// something if wait is set. A connection read through conn always waits.
func (r *wsReader) fill(wait bool) error {
	if r.rc == nil {
		if r.small == nil {
			r.small = make([]byte, 1024)
		}
		n, err := r.conn.Read(r.small)
		if n > 0 {
			r.buf = append(r.buf, r.small[:n]...)
			return nil // an error comes again with the next read
		}
		return err
	}
	var n int
	var err error
	blocked := false
	rerr := r.rc.Read(func(fd uintptr) bool {
		bp := wsReadBuffers.Get().(*[]byte)
		defer wsReadBuffers.Put(bp)
		for n, err = syscall.Read(int(fd), *bp); err == syscall.EINTR; {
			n, err = syscall.Read(int(fd), *bp)
		}
		if err == syscall.EAGAIN {
			blocked = !wait
			return blocked // or wait until the socket is readable
		}
		if n > 0 {
			r.buf = append(r.buf, (*bp)[:n]...)
		}
		return true
	})
	switch {
	case rerr != nil:
		return rerr
	case blocked:
		return errWouldBlock
	case err != nil:
		return fmt.Errorf("read: %w", err)
	case n == 0:
		return io.EOF
	}
	return nil
}
