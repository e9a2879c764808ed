package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
)

// serveRelay is the floor under the gateway's added latency: a plain TCP
// relay to target that copies bytes both ways and understands nothing of
// HTTP or JSON-RPC. Each accepted connection gets one of its own to
// target; between two TCP connections io.Copy uses splice(2), so the bytes
// do not even pass through this process. What it adds to a request is
// what any proxy in its place pays on this machine: two more loopback
// hops, and the wake-ups of a process on another CPU.
func serveRelay(ctx context.Context, listen, target string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if err := printURLs(urls{RPC: "http://" + ln.Addr().String()}); err != nil {
		ln.Close()
		return err
	}
	return relayFrom(ctx, ln, target)
}

// relayFrom relays each connection ln accepts to target until ctx ends.
func relayFrom(ctx context.Context, ln net.Listener, target string) error {
	context.AfterFunc(ctx, func() { ln.Close() })
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept: %w", err)
		}
		wg.Go(func() { relay(ctx, c.(*net.TCPConn), target) })
	}
}

// relay copies between c and a new connection to target until either
// side closes, or ctx ends; a half-close is passed on.
func relay(ctx context.Context, c *net.TCPConn, target string) {
	defer c.Close()
	d, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	u := d.(*net.TCPConn)
	defer u.Close()
	stop := context.AfterFunc(ctx, func() { c.Close(); u.Close() })
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(u, c)
		u.CloseWrite()
	}()
	io.Copy(c, u)
	c.CloseWrite()
	<-done
}
