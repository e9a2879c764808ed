package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// floorLoad reads upstream -fanout's messages on many plain TCP
// connections: the floor under the fan-out latency of the ws mode.
type floorLoad struct {
	addr      string
	clients   int
	messages  int
	size      int
	dialers   int
	timeout   time.Duration
	servers   []server // whose CPU use is reported
	serverCPU int      // the CPU they are pinned to (-1: none)
}

type floorResult struct {
	Mode           string  `json:"mode"`
	Clients        int     `json:"clients"`
	Connected      int64   `json:"connected"`
	Messages       int     `json:"messages"`
	Size           int     `json:"size"`
	Received       int     `json:"received"`
	P50ms          float64 `json:"p50_ms"`
	P90ms          float64 `json:"p90_ms"`
	P99ms          float64 `json:"p99_ms"`
	MaxMs          float64 `json:"max_ms"`
	ServersCPU     float64 `json:"servers_cpu"`
	OtherCPU       float64 `json:"other_cpu"`
	OtherServerCPU float64 `json:"other_server_cpu"`
	LastError      string  `json:"lastError,omitempty"`
}

func (l *floorLoad) run() (floorResult, error) {
	res := floorResult{Mode: "fanfloor", Clients: l.clients, Messages: l.messages, Size: l.size}
	addr := strings.TrimPrefix(l.addr, "tcp://")
	conns := make([]net.Conn, l.clients)
	var connected atomic.Int64
	var lastErr atomic.Value
	sem := make(chan struct{}, l.dialers)
	var dialed sync.WaitGroup
	for i := range conns {
		sem <- struct{}{}
		dialed.Add(1)
		go func() {
			defer func() { <-sem; dialed.Done() }()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				lastErr.Store(err.Error())
				return
			}
			conns[i] = c
			connected.Add(1)
		}()
	}
	dialed.Wait()
	res.Connected = connected.Load()
	// Time the bursts that start once every client is connected.
	from := time.Now()
	fmt.Fprintf(os.Stderr, "connected %d of %d clients\n", res.Connected, l.clients)
	watch := startCPU(l.servers, l.serverCPU)
	samples := make([][]time.Duration, len(conns))
	var read sync.WaitGroup
	for i, c := range conns {
		if c == nil {
			continue
		}
		c.SetReadDeadline(from.Add(l.timeout))
		read.Add(1)
		go func() {
			defer read.Done()
			msg := make([]byte, l.size)
			for len(samples[i]) < l.messages {
				if _, err := io.ReadFull(c, msg); err != nil {
					lastErr.Store(err.Error())
					return
				}
				at := time.Now()
				sent := time.Unix(0, int64(binary.BigEndian.Uint64(msg)))
				if sent.After(from) {
					samples[i] = append(samples[i], at.Sub(sent))
				}
			}
		}()
	}
	read.Wait()
	use := watch.stop()
	res.ServersCPU, res.OtherCPU, res.OtherServerCPU = use.Servers, use.Other, use.OtherOnServerCPU
	var all []time.Duration
	for i, c := range conns {
		if c != nil {
			c.Close()
		}
		all = append(all, samples[i]...)
	}
	p := summarize(all)
	res.Received = p.N
	res.P50ms, res.P90ms, res.P99ms, res.MaxMs = millis(p.P50), millis(p.P90), millis(p.P99), millis(p.Max)
	if s, ok := lastErr.Load().(string); ok {
		res.LastError = s
	}
	return res, nil
}
