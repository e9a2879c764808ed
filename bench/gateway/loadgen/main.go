package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		mode    = flag.String("mode", "max", "max (closed loop), rate (open loop), ws (newHeads subscribers) or fanfloor (upstream -fanout's readers)")
		url     = flag.String("url", "", "target: http://… for max and rate, ws://… for ws, tcp://… for fanfloor")
		mix     = flag.String("mix", "proxy", "request mix: "+mixNames()+", or fixed (-body)")
		body    = flag.String("body", "", "the request -mix fixed sends")
		workers = flag.Int("workers", 64, "max and rate: concurrent requests (one connection each)")
		dur     = flag.Duration("d", 10*time.Second, "max and rate: measured duration")
		warmup  = flag.Duration("warmup", 2*time.Second, "max and rate: load before measuring")
		rate    = flag.Float64("rate", 0, "rate: requests per second")
		blocks  = flag.Uint64("blocks", 64, "max and rate: block numbers cycle over this many blocks up to the head at start")
		clients = flag.Int("clients", 10000, "ws and fanfloor: subscribers")
		heads   = flag.Uint64("heads", 10, "ws and fanfloor: heads (messages) to time once all are subscribed")
		dialers = flag.Int("dialers", 64, "ws and fanfloor: connections being opened at once")
		timeout = flag.Duration("ws-timeout", 60*time.Second, "ws and fanfloor: how long the heads may take to arrive")
		size    = flag.Int("size", 1400, "fanfloor: bytes per message")
		pid     = flag.Int("pid", 0, "ws: process (the gateway) whose VmRSS and VmHWM to report")
		pidList = flag.String("pids", "", "the servers whose CPU use to report: name:pid or pid, comma-separated")
		srvCPU  = flag.Int("server-cpu", -1, "the CPU the servers are pinned to, to report what others used of it")
	)
	flag.Parse()
	if *url == "" {
		return errors.New("-url is required")
	}
	servers, err := parseServers(*pidList)
	if err != nil {
		return err
	}
	var result any
	switch *mode {
	case "max", "rate":
		gen, ok := mixes[*mix]
		if *mix == "fixed" {
			gen, ok, *blocks = fixedMix(*body), *body != "", 0
		}
		if !ok {
			return fmt.Errorf("unknown -mix %q (or -mix fixed without -body)", *mix)
		}
		l := &httpLoad{url: *url, mix: gen, workers: *workers, warmup: *warmup, measure: *dur, blocks: *blocks, servers: servers, serverCPU: *srvCPU}
		if err := l.init(); err != nil {
			return err
		}
		var err error
		if *mode == "max" {
			result, err = l.runMax()
		} else {
			result, err = l.runRate(*rate)
		}
		if err != nil {
			return err
		}
	case "ws":
		l := &wsLoad{url: *url, clients: *clients, heads: *heads, dialers: *dialers, timeout: *timeout, rssPID: *pid, servers: servers, serverCPU: *srvCPU, rssSample: 100 * time.Millisecond}
		r, err := l.run()
		if err != nil {
			return err
		}
		result = r
	case "fanfloor":
		l := &floorLoad{addr: *url, clients: *clients, messages: int(*heads), size: *size, dialers: *dialers, timeout: *timeout, servers: servers, serverCPU: *srvCPU}
		r, err := l.run()
		if err != nil {
			return err
		}
		result = r
	default:
		return fmt.Errorf("unknown -mode %q", *mode)
	}
	b, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	fmt.Printf("%s\n", b)
	return nil
}

func mixNames() string {
	return strings.Join(slices.Sorted(maps.Keys(mixes)), ", ")
}
