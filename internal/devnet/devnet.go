package devnet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/beacon/engine"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/catalyst"

	"github.com/ethfleet/ethfleet/internal/latest"
)

// Config describes a devnet.
type Config struct {
	// DataDir holds every node's chain and the faucet key.
	DataDir string
	// Followers is the number of nodes that follow the producer.
	Followers int
	// BlockTime is the interval between blocks.
	BlockTime time.Duration
	// TxPerBlock is how many transactions the generator sends per block.
	TxPerBlock int
	// NoLogIndex turns off go-ethereum's log search index (its
	// --history.logs.disable): eth_getLogs scans blocks instead, and a node
	// reopens faster.
	NoLogIndex bool
	// Logger receives the devnet's own events; go-ethereum's logs are set up
	// by the caller through go-ethereum's log package.
	Logger *slog.Logger
	// BeforeFollower, if set, is called before a follower whose data
	// directory is empty first starts, with that directory: it may fill it
	// (from a snapshot, say) so the follower starts near the head.
	BeforeFollower func(name, dir string) error
}

// genesisGasLimit is the dev chain's block gas limit.
const genesisGasLimit = 30_000_000

// Devnet is a running dev chain: one producer and its followers.
type Devnet struct {
	cfg       Config
	log       *slog.Logger
	producer  *Node
	followers []*Node
	sim       *catalyst.SimulatedBeacon
	genesis   *core.Genesis
	head      latest.Value[engine.ForkchoiceStateV1]
	resends   atomic.Uint64 // Resend calls, each a reason to send the head again
	gen       *txGen
	ctx       context.Context // the loops' lifetime

	// sealMu is held while a block is sealed or transactions are sent, and
	// by Reorg for the whole reorganisation.
	sealMu sync.Mutex

	mu      sync.Mutex
	stopped map[string]bool // nodes already closed
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// New returns a devnet described by cfg. It starts nothing.
func New(cfg Config) *Devnet {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Devnet{cfg: cfg, log: cfg.Logger, stopped: map[string]bool{}}
}

// Start brings up the producer, then each follower, then the loops that
// seal blocks, drive the followers and generate transactions. On error it
// closes whatever it started.
func (d *Devnet) Start() (err error) {
	if d.cfg.BlockTime <= 0 {
		return errors.New("devnet: block time must be positive")
	}
	if err := os.MkdirAll(d.cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	key, err := loadOrCreateKey(filepath.Join(d.cfg.DataDir, "faucet.key"))
	if err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	faucet := crypto.PubkeyToAddress(key.PublicKey)
	genesis := core.DeveloperGenesisBlock(genesisGasLimit, &faucet)
	d.genesis = genesis
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if err := d.startProducer(genesis, faucet); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.ctx, d.cancel = ctx, cancel
	for i := 1; i <= d.cfg.Followers; i++ {
		f, err := d.startFollower(fmt.Sprintf("follower-%d", i), 0)
		if err != nil {
			return err
		}
		d.followers = append(d.followers, f)
	}
	gen := newTxGen(d.producer, key, d.cfg.TxPerBlock, &d.sealMu, d.log)
	d.gen = gen
	d.publishHead()
	d.goLoop(func() { d.seal(ctx) })
	d.goLoop(func() { gen.run(ctx, d.cfg.BlockTime) })
	for _, f := range d.followers {
		if err := d.driveFollower(f); err != nil {
			return err
		}
	}
	d.log.Info("devnet started", "producer", d.producer.HTTPURL(), "followers", len(d.followers), "blockTime", d.cfg.BlockTime)
	return nil
}

func (d *Devnet) startProducer(genesis *core.Genesis, faucet common.Address) error {
	p, err := newNode(nodeSpec{name: "producer", role: RoleProducer, dir: nodeDir(d.cfg.DataDir, "producer"), genesis: genesis, noLogIndex: d.cfg.NoLogIndex})
	if err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	// Period 0: the simulated beacon seals only when asked; seal() asks on
	// the devnet's own timer, which allows block times under a second.
	sim, err := catalyst.NewSimulatedBeacon(0, faucet, p.eth)
	if err != nil {
		p.close()
		return fmt.Errorf("devnet: simulated beacon: %w", err)
	}
	p.stack.RegisterLifecycle(sim)
	if err := p.stack.Start(); err != nil {
		p.close()
		return fmt.Errorf("devnet: start producer: %w", err)
	}
	d.producer, d.sim = p, sim
	return nil
}

// startFollower starts a follower on its data directory (filled by
// BeforeFollower first, if empty), on the given HTTP port (0: any), and
// peers it with the producer.
func (d *Devnet) startFollower(name string, port int) (*Node, error) {
	dir := nodeDir(d.cfg.DataDir, name)
	if d.cfg.BeforeFollower != nil {
		if entries, err := os.ReadDir(dir); len(entries) == 0 && (err == nil || errors.Is(err, fs.ErrNotExist)) {
			if err := d.cfg.BeforeFollower(name, dir); err != nil {
				return nil, fmt.Errorf("devnet: %s: %w", name, err)
			}
		}
	}
	jwtPath := filepath.Join(dir, "jwtsecret.hex")
	secret, err := loadOrCreateJWTSecret(jwtPath)
	if err != nil {
		return nil, fmt.Errorf("devnet: %s: %w", name, err)
	}
	f, err := newNode(nodeSpec{name: name, role: RoleFollower, dir: dir, genesis: d.genesis, jwtSecret: jwtPath, noLogIndex: d.cfg.NoLogIndex, httpPort: port})
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	f.jwtSecret = secret
	if err := catalyst.Register(f.stack, f.eth); err != nil {
		f.close()
		return nil, fmt.Errorf("devnet: %s: engine API: %w", name, err)
	}
	if err := f.stack.Start(); err != nil {
		f.close()
		return nil, fmt.Errorf("devnet: start %s: %w", name, err)
	}
	f.stack.Server().AddTrustedPeer(d.producer.stack.Server().Self())
	f.stack.Server().AddPeer(d.producer.stack.Server().Self())
	return f, nil
}

// driveFollower keeps f at the producer's head until f stops or the
// devnet closes.
func (d *Devnet) driveFollower(f *Node) error {
	ctx, cancel := context.WithCancel(d.ctx)
	engineRPC, err := dialEngine(ctx, f)
	if err != nil {
		cancel()
		return err
	}
	f.stopDrive = cancel
	d.goLoop(func() { defer engineRPC.Close(); d.drive(ctx, f, engineRPC) })
	return nil
}

// RestartFollower starts a follower that StopNode stopped again, on the
// same data directory and the same HTTP/WS port, so whoever watched it
// finds it where it was.
func (d *Devnet) RestartFollower(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, old := range d.followers {
		if old.name != name {
			continue
		}
		if !d.stopped[name] {
			return fmt.Errorf("devnet: %s is running", name)
		}
		f, err := d.startFollower(name, old.port())
		if err != nil {
			return err
		}
		d.followers[i] = f
		delete(d.stopped, name)
		return d.driveFollower(f)
	}
	return fmt.Errorf("devnet: no follower named %q", name)
}

func (d *Devnet) goLoop(f func()) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		f()
	}()
}

// Nodes returns the producer followed by the followers.
func (d *Devnet) Nodes() []*Node {
	return append([]*Node{d.producer}, d.followers...)
}

// Producer returns the node that seals blocks.
func (d *Devnet) Producer() *Node { return d.producer }

// StopNode closes one follower cleanly while the rest of the devnet runs on,
// as a failover drill does. The producer cannot be stopped alone.
func (d *Devnet) StopNode(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, f := range d.followers {
		if f.name != name {
			continue
		}
		if d.stopped[name] {
			return nil
		}
		d.stopped[name] = true
		if f.stopDrive != nil {
			f.stopDrive()
		}
		f.port() // remember it for a restart
		return f.close()
	}
	return fmt.Errorf("devnet: no follower named %q", name)
}

// Close stops the loops, then the followers, then the producer, and waits
// for every node to flush its state. It is safe to call more than once; the
// nodes' last heads stay readable after it.
func (d *Devnet) Close() error {
	if d.cancel != nil {
		d.cancel()
	}
	d.wg.Wait()
	var errs []error
	d.mu.Lock()
	for i := len(d.followers) - 1; i >= 0; i-- {
		f := d.followers[i]
		if !d.stopped[f.name] {
			d.stopped[f.name] = true
			errs = append(errs, f.close())
		}
	}
	if d.producer != nil && !d.stopped[d.producer.name] {
		d.stopped[d.producer.name] = true
		errs = append(errs, d.producer.close())
	}
	d.mu.Unlock()
	return errors.Join(errs...)
}
