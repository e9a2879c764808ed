package gateway

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// wsPoller watches every idle WebSocket connection at once, with one epoll
// instance and one goroutine, so that a connection waiting for its
// client's next message has no goroutine, and no stack, of its own: at
// 10,000 subscribers the readers' stacks took 40 MB, which the garbage
// collector's heap goal then counted again. When a socket has bytes, a
// goroutine reads what it has (wsConn.readable) and has the socket
// watched again. Sockets are armed one-shot, so a connection has one such
// goroutine at a time and its messages are read in order.
//
// The sockets stay in Go's own poller too, which writes and close use; a
// closed socket leaves the epoll set by itself. Connections are known by
// a number never used twice, not by descriptor, which the kernel reuses.
type wsPoller struct {
	epfd int
	wake int // an eventfd that stops run

	mu    sync.Mutex
	last  uint64
	conns map[uint64]*wsConn
	done  chan struct{}
}

// wakeID is the eventfd's number in the epoll set.
const wakeID = 0

func newWSPoller() (*wsPoller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN}
	setEventID(&ev, wakeID)
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	return &wsPoller{epfd: epfd, wake: wake, conns: map[uint64]*wsConn{}, done: make(chan struct{})}, nil
}

// run sends a goroutine to each connection whose socket turns readable,
// until stop.
func (p *wsPoller) run() {
	defer close(p.done)
	events := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(p.epfd, events, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return // only a broken epoll descriptor gets here
		}
		for _, ev := range events[:n] {
			id := eventID(ev)
			if id == wakeID {
				return
			}
			p.mu.Lock()
			c := p.conns[id]
			p.mu.Unlock()
			if c != nil {
				go c.readable()
			}
		}
	}
}

// stop ends run and closes the epoll set. Connections still watched then
// are no longer read; the server closes them as it stops.
func (p *wsPoller) stop() {
	one := [8]byte{1}
	unix.Write(p.wake, one[:])
	<-p.done
	unix.Close(p.epfd)
	unix.Close(p.wake)
}

// watch has the poller watch c's socket; false if c's bytes cannot be
// read from its socket (TLS), and c needs a reader of its own.
func (p *wsPoller) watch(c *wsConn) bool {
	if c.in.rc == nil {
		return false
	}
	p.mu.Lock()
	p.last++
	c.pollID = p.last
	p.conns[c.pollID] = c
	p.mu.Unlock()
	if err := p.arm(c, unix.EPOLL_CTL_ADD); err != nil {
		p.mu.Lock()
		delete(p.conns, c.pollID)
		c.pollID = 0
		p.mu.Unlock()
		return false
	}
	return true
}

// rearm watches c's socket again, once its goroutine has read all it had.
// Bytes that came after that read make the socket readable at once.
func (p *wsPoller) rearm(c *wsConn) error {
	return p.arm(c, unix.EPOLL_CTL_MOD)
}

func (p *wsPoller) arm(c *wsConn, op int) error {
	var err error
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT}
	setEventID(&ev, c.pollID)
	cerr := c.in.rc.Control(func(fd uintptr) {
		err = unix.EpollCtl(p.epfd, op, int(fd), &ev)
	})
	if cerr != nil {
		return cerr // closed
	}
	if err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

// forget drops c, closed, from the poller, if it is there. A connection's
// number does not change once it is watched.
func (p *wsPoller) forget(c *wsConn) {
	p.mu.Lock()
	delete(p.conns, c.pollID)
	p.mu.Unlock()
}

// An event carries a connection's number in its 8 bytes of user data.
func setEventID(ev *unix.EpollEvent, id uint64) {
	ev.Fd, ev.Pad = int32(uint32(id)), int32(uint32(id>>32))
}

func eventID(ev unix.EpollEvent) uint64 {
	return uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
}
