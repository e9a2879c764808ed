package gateway

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The write side of the gateway's WebSocket connections. Thousands of
// subscribers get the same head at once; a goroutine per connection to
// write it costs a stack each. Instead a few pool writers write frames
// straight to the sockets, each write bounded by wsFastWrite: a socket
// that takes a frame at once (its buffer has room) never blocks a writer,
// and one that does not gets a goroutine of its own to finish the write
// and the rest of its queue, within wsWriteTimeout. Frames are written
// with writev, an event's bytes shared by every subscriber.
//
// The reader (ws_reader.go) routes its replies (pong, close) here too.

const (
	wsWriters   = 8                    // pool writers at most
	wsFastWrite = 2 * time.Millisecond // how long a pool writer waits on one socket
)

// WebSocket opcodes (RFC 6455 section 5.2).
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

// frame is one message to write: its opcode and its payload in parts.
type frame struct {
	op    byte
	parts [][]byte
}

func (f frame) size() int {
	n := 0
	for _, p := range f.parts {
		n += len(p)
	}
	return n
}

// appendFrameHeader appends the header of an unmasked, final frame.
func appendFrameHeader(b []byte, op byte, n int) []byte {
	b = append(b, 0x80|op)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}

// buffers lays frames out for one writev.
func buffers(frames []frame) net.Buffers {
	headers := make([]byte, 0, 10*len(frames))
	bufs := make(net.Buffers, 0, 4*len(frames))
	for _, f := range frames {
		start := len(headers)
		headers = appendFrameHeader(headers, f.op, f.size())
		bufs = append(bufs, headers[start:len(headers):len(headers)])
		bufs = append(bufs, f.parts...)
	}
	return bufs
}

// writerPool runs up to wsWriters goroutines while connections have
// frames waiting, and none otherwise.
type writerPool struct {
	mu     sync.Mutex
	ready  []*wsConn
	active int
}

func (p *writerPool) schedule(c *wsConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ready = append(p.ready, c)
	if p.active < wsWriters {
		p.active++
		go p.work()
	}
}

func (p *writerPool) work() {
	for {
		p.mu.Lock()
		if len(p.ready) == 0 {
			p.active--
			p.ready = nil
			p.mu.Unlock()
			return
		}
		c := p.ready[0]
		p.ready[0] = nil
		p.ready = p.ready[1:]
		p.mu.Unlock()
		c.flush(false)
	}
}

// enqueue queues a frame without blocking, scheduling a writer if none is
// on the way; it reports false when the client has let its queue fill.
func (c *wsConn) enqueue(f frame) bool {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.closed {
		return true // closing: nothing more to say
	}
	if len(c.queue) >= wsQueue {
		return false
	}
	c.queue = append(c.queue, f)
	if !c.scheduled {
		c.scheduled = true
		if c.tls {
			// TLS cannot go on after a write its deadline cut short (the
			// record is half sent, and crypto/tls refuses to write more):
			// no fast write to try, a writer of its own at once.
			go c.flush(true)
		} else {
			c.s.writers.schedule(c)
		}
	}
	return true
}

// flush writes what is queued until nothing is. A pool writer (slow
// false) hands a socket that would block to a goroutine of its own.
func (c *wsConn) flush(slow bool) {
	for {
		c.qmu.Lock()
		if len(c.queue) == 0 || c.closed {
			c.scheduled = false
			c.qmu.Unlock()
			return
		}
		batch := c.queue
		c.queue = nil
		c.qmu.Unlock()

		bufs := buffers(batch)
		c.wlock <- struct{}{}
		wait := wsFastWrite
		if slow {
			wait = wsWriteTimeout
		}
		c.raw.SetWriteDeadline(time.Now().Add(wait))
		_, err := bufs.WriteTo(c.raw)
		if err != nil && !slow && errors.Is(err, os.ErrDeadlineExceeded) {
			go c.finish(bufs) // keeps the write lock and the schedule
			return
		}
		c.broken = err != nil
		<-c.wlock
		if err != nil {
			c.close(websocket.CloseAbnormalClosure, "")
			return // scheduled stays set: nothing more is written
		}
	}
}

// finish writes the rest of a write that would have blocked a pool
// writer, then what is queued, on its own goroutine.
func (c *wsConn) finish(rest net.Buffers) {
	c.raw.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
	_, err := rest.WriteTo(c.raw)
	c.broken = err != nil
	<-c.wlock
	if err != nil {
		c.close(websocket.CloseAbnormalClosure, "")
		return
	}
	c.flush(true)
}

// close ends the connection once, telling the client why when there is a
// reason to give and the socket is free to say it within a second. Every
// way a connection ends goes through here.
func (c *wsConn) close(code int, reason string) { c.closeWithin(code, reason, time.Second) }

// closeWithin is close, waiting up to wait for a write in progress to end
// and as long again for the close frame to go out: a slow client, closed
// for being slow, still reads, slowly.
func (c *wsConn) closeWithin(code int, reason string, wait time.Duration) {
	c.closeOnce.Do(func() {
		c.qmu.Lock()
		c.closed = true
		c.queue = nil
		c.qmu.Unlock()
		close(c.done)
		if code != websocket.CloseAbnormalClosure {
			select {
			case c.wlock <- struct{}{}:
				// After a write cut short, a frame would land inside
				// another: there is nobody to tell.
				if !c.broken {
					bufs := buffers([]frame{{op: opClose, parts: [][]byte{websocket.FormatCloseMessage(code, reason)}}})
					c.raw.SetWriteDeadline(time.Now().Add(wait))
					bufs.WriteTo(c.raw)
				}
				<-c.wlock
			case <-time.After(wait):
			}
		}
		c.raw.Close()
		c.end()
	})
}
