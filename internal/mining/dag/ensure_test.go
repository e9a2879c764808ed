package dag

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethfleet/ethfleet/internal/mining/ethash"
)

// Test-only options.
func withGenerated(f func(epoch uint64)) Option { return func(o *options) { o.generated = f } }
func withPoll(d time.Duration) Option           { return func(o *options) { o.poll = d } }

var tinyEthash = ethash.Ethash().WithSizes(tinySizes)

// generations counts, per epoch, how often a dataset was generated.
type generations struct {
	mu    sync.Mutex
	count map[uint64]int
}

func (g *generations) option() Option {
	return withGenerated(func(epoch uint64) {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.count == nil {
			g.count = make(map[uint64]int)
		}
		g.count[epoch]++
	})
}

func (g *generations) of(epoch uint64) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.count[epoch]
}

// TestEnsureOneGenerator has several miners (goroutines; each opens its
// own lock file description, so flock separates them as it separates
// processes) ask for the same epoch at once: exactly one generates it,
// all map the same bytes, and the next epoch is prepared exactly once.
func TestEnsureOneGenerator(t *testing.T) {
	dir := t.TempDir()
	var gens generations
	const miners = 6
	datasets := make([]*Dataset, miners)
	errs := make([]error, miners)
	var wg sync.WaitGroup
	for i := range miners {
		wg.Go(func() {
			datasets[i], errs[i] = Ensure(context.Background(), dir, tinyEthash, 100, gens.option(), withPoll(time.Millisecond))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("miner %d: %v", i, err)
		}
	}
	for i, d := range datasets[1:] {
		if !bytes.Equal(d.mem, datasets[0].mem) {
			t.Errorf("miner %d maps other bytes than miner 0", i+1)
		}
	}
	for _, d := range datasets {
		<-d.nextDone // Close would cancel the next epoch's generation
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if n := gens.of(0); n != 1 {
		t.Errorf("epoch 0 generated %d times, want 1", n)
	}
	// The next epoch is there, made once: each miner either made it or
	// found it made or being made.
	if n := gens.of(1); n != 1 {
		t.Errorf("epoch 1 generated %d times, want 1", n)
	}
	d, err := Ensure(context.Background(), dir, tinyEthash, 30000, gens.option(), WithoutNext())
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if n := gens.of(1); n != 1 {
		t.Errorf("epoch 1 generated again on Ensure: %d times", n)
	}
}

// TestEnsureAfterCrashedLeader: while a leader holds the lock, Ensure
// waits (until its context ends); when the leader dies (its lock file
// closed, as the kernel does for a dead process), the next Ensure
// generates, removing the dead leader's half-written file and replacing a
// damaged dataset file.
func TestEnsureAfterCrashedLeader(t *testing.T) {
	dir := t.TempDir()
	p := paramsAt(tinyEthash, 0)
	path := filepath.Join(dir, p.fileName())
	leftover := path + tmpSuffix + "123"
	if err := os.WriteFile(leftover, []byte("half a dataset"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("not a dataset"), 0o644); err != nil {
		t.Fatal(err)
	}
	leader, err := tryLock(path)
	if err != nil || leader == nil {
		t.Fatalf("taking the lock: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Ensure(ctx, dir, tinyEthash, 0, withPoll(time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ensure while the lock is held: %v, want it to wait until its deadline", err)
	}

	leader.Close() // the leader dies
	var gens generations
	var last Progress
	d, err := Ensure(context.Background(), dir, tinyEthash, 0, gens.option(), WithoutNext(),
		WithProgress(func(p Progress) { last = p }))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if gens.of(0) != 1 {
		t.Errorf("epoch 0 generated %d times, want 1", gens.of(0))
	}
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead leader's temporary file is still there: %v", err)
	}
	if last.Items != last.Total || last.Total != p.datasetSize/hashBytes {
		t.Errorf("last progress %+v, want all %d items", last, p.datasetSize/hashBytes)
	}
}

// The cross-process test: the test binary run again as a miner.
const helperEnv = "DAG_TEST_MINER_DIR"

// medium dataset: 1 MiB, long enough for miner processes to overlap.
var mediumEthash = ethash.Ethash().WithSizes(ethash.Sizes{CacheInit: 1 << 12, CacheGrowth: 1 << 7, DatasetInit: 1 << 20, DatasetGrowth: 1 << 10})

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		os.Exit(minerProcess(dir))
	}
	os.Exit(m.Run())
}

// minerProcess maps epoch 0 and prints whether it generated it and a hash.
func minerProcess(dir string) int {
	generated := false
	d, err := Ensure(context.Background(), dir, mediumEthash, 0, WithoutNext(), withPoll(5*time.Millisecond),
		withGenerated(func(uint64) { generated = true }))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer d.Close()
	_, result := d.Hash([32]byte{1}, 42)
	fmt.Printf("generated=%v result=%x\n", generated, result)
	return 0
}

func TestEnsureAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	const miners = 3
	outputs := make([]string, miners)
	errs := make([]error, miners)
	var wg sync.WaitGroup
	for i := range miners {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"="+dir)
			out, err := cmd.Output()
			outputs[i], errs[i] = strings.TrimSpace(string(out)), err
		})
	}
	wg.Wait()
	generators := 0
	results := map[string]bool{}
	for i, out := range outputs {
		if errs[i] != nil {
			t.Fatalf("miner %d: %v: %s", i, errs[i], out)
		}
		gen, result, _ := strings.Cut(out, " ")
		if gen == "generated=true" {
			generators++
		}
		results[result] = true
	}
	if generators != 1 || len(results) != 1 {
		t.Errorf("want exactly one generator and one result, got:\n%s", strings.Join(outputs, "\n"))
	}
}

// TestCloseStopsNext: closing a dataset while the next epoch is being
// prepared stops that work and leaves no temporary file behind.
func TestCloseStopsNext(t *testing.T) {
	dir := t.TempDir()
	d, err := Ensure(context.Background(), dir, mediumEthash, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*"+tmpSuffix+"*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}
