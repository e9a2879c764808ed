package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// percentiles are the latencies of a run, from sorted samples.
type percentiles struct {
	N                  int
	P50, P90, P99, Max time.Duration
}

// summarize sorts samples in place and reads the percentiles off them.
func summarize(samples []time.Duration) percentiles {
	slices.Sort(samples)
	return percentiles{
		N:   len(samples),
		P50: percentile(samples, 0.50), P90: percentile(samples, 0.90),
		P99: percentile(samples, 0.99), Max: percentile(samples, 1),
	}
}

// percentile returns the nearest-rank p-quantile of sorted samples: the
// smallest sample that at least p of the samples do not exceed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// cpuTime is the CPU time (user + system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memStatus reads VmRSS and VmHWM, in bytes, from /proc/PID/status.
func memStatus(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("memory of process %d: %w", pid, err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		key, value, ok := strings.Cut(s.Text(), ":")
		if !ok || key != "VmRSS" && key != "VmHWM" {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("memory of process %d: %s: %w", pid, key, err)
		}
		if key == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	return rss, hwm, s.Err()
}

// micros and millis express durations in the units the report uses.
func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// parseServers reads -pids: name:pid or pid, comma-separated.
func parseServers(list string) ([]server, error) {
	var servers []server
	for _, item := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' }) {
		name, pid, ok := strings.Cut(item, ":")
		if !ok {
			name, pid = item, item
		}
		n, err := strconv.Atoi(pid)
		if err != nil {
			return nil, fmt.Errorf("-pids %s: %w", item, err)
		}
		servers = append(servers, server{name: name, pid: n})
	}
	return servers, nil
}

// clockTicks is USER_HZ, the unit of /proc's CPU times.
const clockTicks = 100

// cpuWatch measures, over a window, the CPU time of the watched processes
// (the servers) and of everything else on the machine but this process, in
// all and on the CPU the servers are pinned to (serverCPU; -1: none): on a
// shared machine, a figure taken while others were busy is suspect.
type cpuWatch struct {
	servers   []server
	serverCPU int
	start     time.Time
	t0        cpuTicks
}

// server is a process whose CPU use is reported, by name.
type server struct {
	name string
	pid  int
}

type cpuTicks struct {
	own, watched, total, serverCPU int64
	each                           []int64 // per server
}

// cpuUse is CPU time over a window, in cores (1 = one core busy).
type cpuUse struct {
	Servers, Other, OtherOnServerCPU float64
	ByServer                         map[string]float64
}

func startCPU(servers []server, serverCPU int) *cpuWatch {
	w := &cpuWatch{servers: servers, serverCPU: serverCPU, start: time.Now()}
	w.t0 = w.ticks()
	return w
}

func (w *cpuWatch) stop() cpuUse {
	t := w.ticks()
	secs := time.Since(w.start).Seconds() * clockTicks
	watched := t.watched - w.t0.watched
	u := cpuUse{
		Servers:  float64(watched) / secs,
		Other:    float64(t.total-w.t0.total-(t.own-w.t0.own)-watched) / secs,
		ByServer: map[string]float64{},
	}
	for i, s := range w.servers {
		u.ByServer[s.name] = float64(t.each[i]-w.t0.each[i]) / secs
	}
	if w.serverCPU >= 0 {
		u.OtherOnServerCPU = float64(t.serverCPU-w.t0.serverCPU-watched) / secs
	}
	return u
}

// ticks reads this process's, the watched processes', the machine's and
// the server CPU's busy time (user, nice, system, irq and softirq: a
// process's system time takes in the softirqs run on its behalf).
func (w *cpuWatch) ticks() cpuTicks {
	t := cpuTicks{own: procTicks("self"), each: make([]int64, len(w.servers))}
	for i, s := range w.servers {
		t.each[i] = procTicks(strconv.Itoa(s.pid))
		t.watched += t.each[i]
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t
	}
	server := "cpu" + strconv.Itoa(w.serverCPU)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line) // cpu user nice system idle iowait irq softirq ...
		if len(f) < 8 || f[0] != "cpu" && f[0] != server {
			continue
		}
		var busy int64
		for _, i := range []int{1, 2, 3, 6, 7} {
			n, _ := strconv.ParseInt(f[i], 10, 64)
			busy += n
		}
		if f[0] == "cpu" {
			t.total = busy
		} else {
			t.serverCPU = busy
		}
	}
	return t
}

// procTicks is a process's user and system CPU time, threads included.
func procTicks(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // the command may hold anything
	if len(f) < 13 {
		return 0
	}
	user, _ := strconv.ParseInt(f[11], 10, 64)
	sys, _ := strconv.ParseInt(f[12], 10, 64)
	return user + sys
}
