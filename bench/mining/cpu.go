package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTicks = 100

// processCPU is a process's user + system CPU time, from /proc/PID/stat.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count the
	// fields from the last ')'. utime and stime are fields 14 and 15.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad CPU times", pid)
	}
	return ticks(utime + stime), nil
}

// selfCPU is this process's user + system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineCPU is the CPU time every CPU of the machine spent busy (not idle
// nor waiting for I/O) since boot, from /proc/stat; steal, a part of it, is
// the time the hypervisor gave the machine's CPUs to someone else.
func machineCPU() (busy, steal time.Duration, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var n [8]uint64 // user nice system idle iowait irq softirq steal
	for i := range n {
		if n[i], err = strconv.ParseUint(f[i+1], 10, 64); err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: %w", err)
		}
	}
	return ticks(n[0] + n[1] + n[2] + n[5] + n[6] + n[7]), ticks(n[7]), nil
}

func ticks(n uint64) time.Duration { return time.Duration(n) * time.Second / clockTicks }

// cpuSample is the CPU times of this process, the processes it watches
// and the whole machine at one moment.
type cpuSample struct {
	at      time.Time
	self    time.Duration
	watched map[string]time.Duration
	machine time.Duration
	steal   time.Duration
}

// sampleCPU reads the CPU times now; pids names the processes watched.
func sampleCPU(pids map[string]int) (cpuSample, error) {
	s := cpuSample{at: time.Now(), self: selfCPU(), watched: map[string]time.Duration{}}
	for name, pid := range pids {
		d, err := processCPU(pid)
		if err != nil {
			return s, fmt.Errorf("%s (pid %d): %w", name, pid, err)
		}
		s.watched[name] = d
	}
	var err error
	s.machine, s.steal, err = machineCPU()
	return s, err
}

// CPUUse is the CPU used between two samples, in cores (CPU seconds per
// second): by this process, by each watched process, by the whole
// machine, by everything else on it, and stolen by the hypervisor.
type CPUUse struct {
	Self    float64            `json:"self"`
	Watched map[string]float64 `json:"watched"`
	Machine float64            `json:"machine"`
	Others  float64            `json:"others"`
	Steal   float64            `json:"steal"`
}

func cpuBetween(a, b cpuSample) CPUUse {
	secs := b.at.Sub(a.at).Seconds()
	cores := func(d time.Duration) float64 { return d.Seconds() / secs }
	u := CPUUse{Self: cores(b.self - a.self), Machine: cores(b.machine - a.machine), Watched: map[string]float64{}}
	u.Steal = cores(b.steal - a.steal)
	u.Others = u.Machine - u.Steal - u.Self
	for name, d := range b.watched {
		u.Watched[name] = cores(d - a.watched[name])
		u.Others -= u.Watched[name]
	}
	u.Others = max(u.Others, 0) // tick rounding
	return u
}

// awaitQuiet waits, up to limit, until the machine's CPU use over one
// second is at most quiet cores, and returns the last second's use.
func awaitQuiet(quiet float64, limit time.Duration) float64 {
	deadline := time.Now().Add(limit)
	for {
		a, _, err1 := machineCPU()
		t := time.Now()
		time.Sleep(time.Second)
		b, _, err2 := machineCPU()
		if err1 != nil || err2 != nil {
			return 0
		}
		busy := (b - a).Seconds() / time.Since(t).Seconds()
		if busy <= quiet || time.Now().After(deadline) {
			return busy
		}
	}
}
