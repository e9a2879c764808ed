package supervise

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// Defaults for the zero values of Spec's durations.
const (
	// DefaultStopTimeout is how long a stop waits after SIGTERM before it
	// sends SIGKILL. geth's own advice is to allow it at least 300 s to
	// flush its caches and close its database.
	DefaultStopTimeout = 300 * time.Second
	// DefaultMinBackoff is the delay before the first restart after a crash.
	DefaultMinBackoff = time.Second
	// DefaultMaxBackoff caps the doubling delay between restarts.
	DefaultMaxBackoff = time.Minute
	// DefaultStableAfter is how long a process must stay up for the next
	// restart delay to start again from MinBackoff.
	DefaultStableAfter = time.Minute
	// waitDelay bounds how long Wait keeps copying output after the process
	// exited, in case a grandchild still holds its stdout or stderr open.
	waitDelay = 5 * time.Second
)

// Spec describes the process to supervise. The zero values of the durations
// take the defaults above.
type Spec struct {
	// Name names the process in logs and errors ("geth"); it defaults to
	// the base name of Path.
	Name string
	// Path is the executable, an absolute path or a name looked up in PATH.
	Path string
	// Args are the arguments, without the program name.
	Args []string
	// Env holds extra "KEY=value" entries added to the agent's own
	// environment; an entry here wins over the agent's for the same key.
	Env []string
	// Dir is the working directory; empty means the agent's.
	Dir string

	// StopTimeout is how long a stop waits after SIGTERM before SIGKILL.
	StopTimeout time.Duration
	// MinBackoff is the delay before restarting a process that crashed;
	// it doubles with every further crash up to MaxBackoff.
	MinBackoff time.Duration
	// MaxBackoff caps the restart delay.
	MaxBackoff time.Duration
	// StableAfter is how long a process must have run for its exit to
	// count as a fresh failure: the delay before the next start is then
	// MinBackoff again.
	StableAfter time.Duration

	// Stdout and Stderr receive the process's output; nil means the
	// agent's own standard output and standard error.
	Stdout, Stderr io.Writer
	// Logger receives one line per start, exit and stop; nil discards them.
	Logger *slog.Logger
}

// withDefaults returns a copy of s with every zero value filled in, or an
// error for a Spec that cannot run.
func (s Spec) withDefaults() (Spec, error) {
	if s.Path == "" {
		return s, errors.New("supervise: no executable path")
	}
	if s.Name == "" {
		s.Name = filepath.Base(s.Path)
	}
	if s.StopTimeout == 0 {
		s.StopTimeout = DefaultStopTimeout
	}
	if s.MinBackoff == 0 {
		s.MinBackoff = DefaultMinBackoff
	}
	if s.MaxBackoff == 0 {
		s.MaxBackoff = DefaultMaxBackoff
	}
	if s.StableAfter == 0 {
		s.StableAfter = DefaultStableAfter
	}
	switch {
	case s.StopTimeout < 0, s.MinBackoff < 0, s.MaxBackoff < 0, s.StableAfter < 0:
		return s, fmt.Errorf("supervise %s: negative duration", s.Name)
	case s.MinBackoff > s.MaxBackoff:
		return s, fmt.Errorf("supervise %s: MinBackoff %s above MaxBackoff %s", s.Name, s.MinBackoff, s.MaxBackoff)
	}
	if s.Stdout == nil {
		s.Stdout = os.Stdout
	}
	if s.Stderr == nil {
		s.Stderr = os.Stderr
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}
