package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethfleet/ethfleet/internal/supervise"
)

// DefaultStopTimeout is how long a miner has to exit after SIGTERM.
const DefaultStopTimeout = 10 * time.Second

// Options say how to run a miner.
type Options struct {
	// Command is the program and its arguments; "{index}" in an argument
	// becomes the miner's number.
	Command []string
	// Env holds extra KEY=value entries for every miner.
	Env []string
	// StopTimeout is the time between SIGTERM and SIGKILL (default 10s).
	StopTimeout time.Duration
	// MinBackoff and MaxBackoff bound the delay before a dead miner is
	// started again (supervise's defaults: 1s and 1m).
	MinBackoff, MaxBackoff time.Duration
	// Stdout and Stderr get the miners' output (nil: the controller's).
	Stdout, Stderr io.Writer
	Logger         *slog.Logger
}

// DefaultCommand runs this very binary as `mine --config configFile`.
func DefaultCommand(configFile string) ([]string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("local miners: %w", err)
	}
	return []string{exe, "mine", "--config", configFile}, nil
}

// Provider runs miners as child processes. Close stops them all.
type Provider struct {
	opts Options

	mu     sync.Mutex
	miners []*miner
}

// miner is one supervised miner process.
type miner struct {
	sup    *supervise.Supervisor
	cancel context.CancelFunc
	done   chan struct{}
	err    error // Run's result, once done is closed
}

// New checks opts. It starts nothing.
func New(opts Options) (*Provider, error) {
	if len(opts.Command) == 0 {
		return nil, errors.New("local miners: no command")
	}
	if opts.StopTimeout == 0 {
		opts.StopTimeout = DefaultStopTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Provider{opts: opts}, nil
}

// Current returns how many miners are wanted and how many processes are
// up (not waiting to be restarted). A miner that could not be started at
// all is dropped and reported as an error.
func (p *Provider) Current(context.Context) (desired, running int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	kept := p.miners[:0]
	for _, m := range p.miners {
		select {
		case <-m.done:
			errs = append(errs, m.err)
			continue
		default:
		}
		kept = append(kept, m)
		if m.sup.State().Running {
			running++
		}
	}
	clear(p.miners[len(kept):])
	p.miners = kept
	if err := errors.Join(errs...); err != nil {
		return 0, 0, fmt.Errorf("local miners: %w", err)
	}
	return len(p.miners), running, nil
}

// SetDesired starts or stops miners until n are wanted; it returns once
// the stopped ones have exited, or ctx ended.
func (p *Provider) SetDesired(ctx context.Context, n int) error {
	if n < 0 {
		return fmt.Errorf("local miners: %d miners", n)
	}
	p.mu.Lock()
	for len(p.miners) < n {
		m, err := p.start(len(p.miners) + 1)
		if err != nil {
			p.mu.Unlock()
			return err
		}
		p.miners = append(p.miners, m)
	}
	stopping := p.miners[n:]
	p.miners = p.miners[:n:n]
	p.mu.Unlock()

	for _, m := range stopping {
		m.cancel()
	}
	for _, m := range stopping {
		select {
		case <-m.done:
		case <-ctx.Done():
			return fmt.Errorf("local miners: waiting for %d to stop: %w", len(stopping), ctx.Err())
		}
	}
	return nil
}

// Close stops every miner and waits for them to exit.
func (p *Provider) Close() error { return p.SetDesired(context.Background(), 0) }

// start starts miner number i under a supervisor of its own.
func (p *Provider) start(i int) (*miner, error) {
	index := strconv.Itoa(i)
	args := make([]string, 0, len(p.opts.Command)-1)
	for _, a := range p.opts.Command[1:] {
		args = append(args, strings.ReplaceAll(a, "{index}", index))
	}
	sup, err := supervise.New(supervise.Spec{
		Name:        "miner-" + index,
		Path:        p.opts.Command[0],
		Args:        args,
		Env:         append(append([]string(nil), p.opts.Env...), "ETHFLEET_MINER_INDEX="+index),
		StopTimeout: p.opts.StopTimeout,
		MinBackoff:  p.opts.MinBackoff,
		MaxBackoff:  p.opts.MaxBackoff,
		Stdout:      p.opts.Stdout,
		Stderr:      p.opts.Stderr,
		Logger:      p.opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("local miners: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &miner{sup: sup, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		m.err = sup.Run(ctx)
	}()
	return m, nil
}
