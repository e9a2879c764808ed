package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ethfleet/ethfleet/internal/latest"
)

// Config says which node to watch and how often.
type Config struct {
	Name string
	// RPC is the node's HTTP JSON-RPC URL; WS, if set, its WebSocket URL.
	RPC string
	WS  string
	// Interval is the time between status polls (default 2s); without WS it
	// is also the time between head polls.
	Interval time.Duration
	// Timeout bounds each request (default 5s).
	Timeout time.Duration
	Logger  *slog.Logger
	// Redact, if set, rewrites error messages before they are kept or
	// logged, so that a URL carrying a key never shows (see
	// config.Secret).
	Redact func(string) string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Backoff between reconnection attempts.
const (
	minBackoff = 250 * time.Millisecond
	maxBackoff = 10 * time.Second
)

// Probe watches one node. Create it with New and run it with Run.
type Probe struct {
	cfg    Config
	log    *slog.Logger
	status latest.Value[Status]
}

// New returns a probe for the node cfg names. It starts nothing.
func New(cfg Config) *Probe {
	if cfg.Interval <= 0 {
		cfg.Interval = 2 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Redact == nil {
		cfg.Redact = func(s string) string { return s }
	}
	p := &Probe{cfg: cfg, log: cfg.Logger.With("node", cfg.Name)}
	p.status.Set(Status{Name: cfg.Name, Err: "not probed yet"})
	return p
}

// Name is the name of the node watched.
func (p *Probe) Name() string { return p.cfg.Name }

// Status returns what the probe last learned.
func (p *Probe) Status() Status { return p.status.Get() }

// Watch returns a channel told of every status change and a function that
// stops the watch.
func (p *Probe) Watch() (<-chan struct{}, func()) { return p.status.Watch() }

// Run watches the node until ctx ends, reconnecting with backoff after
// every failure. It returns nil when ctx ends.
func (p *Probe) Run(ctx context.Context) error {
	backoff := minBackoff
	for {
		start := p.cfg.Now()
		err := p.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		msg := p.cfg.Redact(err.Error())
		p.update(func(s *Status) { s.Up, s.Err = false, msg })
		p.log.Debug("probe session ended", "err", msg)
		if p.cfg.Now().Sub(start) > maxBackoff {
			backoff = minBackoff // the session was healthy for a while
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// session connects, then polls and listens until something fails.
func (p *Probe) session(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c, err := rpc.DialContext(ctx, p.cfg.RPC)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer c.Close()
	if err := p.identify(ctx, c); err != nil {
		return err
	}
	heads := make(chan *headJSON, 16)
	var subErr <-chan error
	if p.cfg.WS != "" {
		ws, sub, err := p.subscribe(ctx, heads)
		if err != nil {
			return err
		}
		defer ws.Close()
		defer sub.Unsubscribe()
		subErr = sub.Err()
	}
	if err := p.poll(ctx, c); err != nil {
		return err
	}
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-subErr:
			if err == nil {
				err = errors.New("subscription closed")
			}
			return fmt.Errorf("newHeads: %w", err)
		case h := <-heads:
			p.setHead(h)
		case <-t.C:
			if err := p.poll(ctx, c); err != nil {
				return err
			}
		}
	}
}

// identify reads what does not change while connected, chain ID and
// client version, and the current head, so the head is known before the
// first push.
func (p *Probe) identify(ctx context.Context, c *rpc.Client) error {
	var chainID hexutil.Uint64
	var version string
	var head *headJSON
	batch := []rpc.BatchElem{
		{Method: "eth_chainId", Result: &chainID},
		{Method: "web3_clientVersion", Result: &version},
		{Method: "eth_getBlockByNumber", Args: []any{"latest", false}, Result: &head},
	}
	if err := p.batch(ctx, c, batch); err != nil {
		return err
	}
	if head != nil {
		p.setHead(head)
	}
	p.update(func(s *Status) { s.ChainID, s.ClientVersion = uint64(chainID), version })
	return nil
}

func (p *Probe) subscribe(ctx context.Context, heads chan *headJSON) (*rpc.Client, *rpc.ClientSubscription, error) {
	dctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	ws, err := rpc.DialContext(dctx, p.cfg.WS)
	if err != nil {
		return nil, nil, fmt.Errorf("dial websocket: %w", err)
	}
	sub, err := ws.EthSubscribe(dctx, heads, "newHeads")
	if err != nil {
		ws.Close()
		return nil, nil, fmt.Errorf("subscribe newHeads: %w", err)
	}
	p.update(func(s *Status) { s.Pushed = true })
	return ws, sub, nil
}

// poll asks for sync state and peers, and the head too when it is not
// pushed, in one batch whose round trip is the latency.
func (p *Probe) poll(ctx context.Context, c *rpc.Client) error {
	var syncing, capabilities json.RawMessage
	var peers hexutil.Uint64
	var head, finalized *headJSON
	batch := []rpc.BatchElem{
		{Method: "eth_syncing", Result: &syncing},
		// Optional: some providers refuse net_ methods.
		{Method: "net_peerCount", Result: &peers},
		// Optional: chains without finality answer it with an error.
		{Method: "eth_getBlockByNumber", Args: []any{"finalized", false}, Result: &finalized},
		// Optional: clients that do not say what history they keep.
		{Method: "eth_capabilities", Result: &capabilities},
	}
	if p.cfg.WS == "" {
		batch = append(batch, rpc.BatchElem{Method: "eth_getBlockByNumber", Args: []any{"latest", false}, Result: &head})
	}
	start := p.cfg.Now()
	if err := p.batch(ctx, c, batch, 1, 2, 3); err != nil {
		return err
	}
	latency := p.cfg.Now().Sub(start)
	isSyncing, target, err := parseSyncing(syncing)
	if err != nil {
		return err
	}
	if head != nil {
		p.setHead(head)
	}
	p.update(func(s *Status) {
		s.Up, s.Err = true, ""
		s.Syncing, s.SyncTarget, s.Peers, s.Latency = isSyncing, target, uint64(peers), Millis(latency)
		s.Finalized = 0
		if finalized != nil && batch[2].Error == nil {
			s.Finalized = uint64(finalized.Number)
		}
		s.History = History{}
		if batch[3].Error == nil {
			s.History, _ = parseCapabilities(capabilities) // unreadable: unknown
		}
	})
	return nil
}

// batch sends one batch and fails if any element failed, except those at
// the optional positions, whose errors the caller reads itself.
func (p *Probe) batch(ctx context.Context, c *rpc.Client, elems []rpc.BatchElem, optional ...int) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	if err := c.BatchCallContext(ctx, elems); err != nil {
		return err
	}
	for i, e := range elems {
		if e.Error != nil && !slices.Contains(optional, i) {
			return fmt.Errorf("%s: %w", e.Method, e.Error)
		}
	}
	return nil
}

func (p *Probe) setHead(h *headJSON) {
	p.update(func(s *Status) {
		if s.Head.Hash == h.Hash {
			return
		}
		s.Head = Head{Number: uint64(h.Number), Hash: h.Hash, Time: time.Unix(int64(h.Timestamp), 0)}
		s.HeadSeen = p.cfg.Now()
	})
}

// update changes the status under the probe's single writer and publishes
// it. Only Run's goroutine calls it.
func (p *Probe) update(change func(*Status)) {
	s := p.status.Get()
	change(&s)
	s.Updated = p.cfg.Now()
	p.status.Set(s)
}

// headJSON is the part of a block header the probe reads; it decodes the
// headers of any execution client.
type headJSON struct {
	Number    hexutil.Uint64 `json:"number"`
	Hash      common.Hash    `json:"hash"`
	Timestamp hexutil.Uint64 `json:"timestamp"`
}

// parseSyncing reads eth_syncing's answer: false, or an object whose
// highestBlock is the sync target.
func parseSyncing(raw json.RawMessage) (bool, uint64, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, 0, nil
	}
	var progress struct {
		HighestBlock hexutil.Uint64 `json:"highestBlock"`
	}
	if err := json.Unmarshal(raw, &progress); err != nil {
		return false, 0, fmt.Errorf("eth_syncing: unexpected answer %.64s", raw)
	}
	return true, uint64(progress.HighestBlock), nil
}
