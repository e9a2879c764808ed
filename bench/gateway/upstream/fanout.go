package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"time"
)

// serveFanout is the floor under the gateway's newHeads fan-out: it
// accepts plain TCP connections and, every interval, writes one message of
// size bytes to each in turn from one goroutine, with no WebSocket framing,
// no JSON and no goroutine per connection. A message starts with the time
// its burst started (Unix ns, 8 bytes big-endian).
func serveFanout(ctx context.Context, listen string, size int, every time.Duration) error {
	if size < 8 {
		return fmt.Errorf("-fanout-size must be at least 8, got %d", size)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	if err := printURLs(urls{Fanout: "tcp://" + ln.Addr().String()}); err != nil {
		return err
	}
	msg := make([]byte, size)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		mu.Lock()
		all := conns
		mu.Unlock()
		start := time.Now()
		binary.BigEndian.PutUint64(msg, uint64(start.UnixNano()))
		var kept []net.Conn
		for _, c := range all {
			c.SetWriteDeadline(start.Add(every))
			if _, err := c.Write(msg); err != nil {
				c.Close()
				continue
			}
			kept = append(kept, c)
		}
		mu.Lock()
		conns = append(kept, conns[len(all):]...)
		mu.Unlock()
	}
}
