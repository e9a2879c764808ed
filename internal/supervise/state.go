package supervise

import "time"

// State is a snapshot of a supervised process, for status pages and
// metrics.
type State struct {
	// Name is the Spec's name.
	Name string
	// Running is true while a process is up.
	Running bool
	// PID is the running process's id, 0 when none runs.
	PID int
	// Started is when the running process started (zero when none runs).
	Started time.Time
	// Starts counts the processes started, Restarts those started after
	// the first (Starts-1 once anything started).
	Starts, Restarts int
	// NextStart is when the next start is due while the supervisor waits
	// out a backoff, zero otherwise.
	NextStart time.Time
	// LastExit describes the most recent exit; its At is zero before the
	// first one.
	LastExit Exit
}

// Exit describes how a process ended, or failed to start.
type Exit struct {
	// At is when the exit was seen.
	At time.Time
	// PID is the process that exited (0 if it never started).
	PID int
	// Code is the exit status, or -1 if a signal ended the process or it
	// never started.
	Code int
	// Signal names the signal that ended the process ("terminated",
	// "killed"), empty otherwise.
	Signal string
	// Reason is one line for people: "exit status 1", "signal: killed",
	// "start: fork/exec …: no such file or directory".
	Reason string
	// Uptime is how long the process ran.
	Uptime time.Duration
	// Requested is true when the supervisor stopped the process because
	// its context ended, false when the process exited on its own.
	Requested bool
}
