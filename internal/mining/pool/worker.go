package pool

import (
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// worker is one named miner (or several miners using one name): its
// shares, difficulty, reported rate and rate limit.
type worker struct {
	name string

	mu         sync.Mutex
	firstSeen  time.Time
	lastSeen   time.Time
	difficulty uint64
	lastAdjust time.Time
	window     window
	total      ShareCounts
	reported   map[string]report // by the miner's id
	limiter    *rate.Limiter
	issued     issueLog // work handed out over getWork, by header
}

// report is a rate a miner claims.
type report struct {
	rate float64
	at   time.Time
}

// maxReporters bounds the ids one worker reports rates under.
const maxReporters = 16

// maxWorkers bounds the names the pool tracks at once.
const maxWorkers = 1024

var workerName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// nameOf picks the worker's name from what a miner logs in with: the
// explicit worker if given, else what follows the first dot of
// WALLET.WORKER, else the login unless it is a bare address, else
// "default".
func nameOf(login, worker string) string {
	if worker != "" {
		return worker
	}
	if _, after, ok := strings.Cut(login, "."); ok && after != "" {
		return after
	}
	if login == "" || strings.HasPrefix(login, "0x") && len(login) == 42 {
		return "default"
	}
	return login
}

// worker returns the worker called name, making it if needed; nil with an
// error for a bad name or too many workers.
func (p *Pool) worker(name string) (*worker, *rpcError) {
	if !workerName.MatchString(name) {
		return nil, errorf(codeInvalidParams, "worker name %.70q: want 1 to 64 letters, digits, '.', '_' or '-'", name)
	}
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.workers[name]
	if w == nil {
		if len(p.workers) >= maxWorkers {
			return nil, errorf(codeLimit, "too many workers (%d)", maxWorkers)
		}
		burst := max(1, int(2*p.cfg.MaxSharesPerSecond))
		w = &worker{
			name: name, firstSeen: now, lastAdjust: now,
			difficulty: p.cfg.ShareDifficulty,
			reported:   map[string]report{},
			limiter:    rate.NewLimiter(rate.Limit(p.cfg.MaxSharesPerSecond), burst),
		}
		p.workers[name] = w
	}
	w.mu.Lock()
	w.lastSeen = now
	w.mu.Unlock()
	return w, nil
}

// allow takes a token from the worker's bucket.
func (w *worker) allow(now time.Time) bool {
	return w.limiter.AllowN(now, 1)
}

func (w *worker) record(now time.Time, o Outcome, difficulty float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.window.add(sample{at: now, outcome: o, difficulty: difficulty})
	w.total.add(o, 1)
	w.lastSeen = now
}

// report records a rate the miner claims under id.
func (w *worker) report(id string, rate float64, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.reported[id]; !ok && len(w.reported) >= maxReporters {
		return
	}
	w.reported[id] = report{rate: rate, at: now}
}

// currentDifficulty is the share difficulty new work gets.
func (w *worker) currentDifficulty() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.difficulty
}

// issueFor returns the work this worker was given for job over getWork,
// or gives it job at its current difficulty.
func (w *worker) issueFor(job *Job) issue {
	w.mu.Lock()
	defer w.mu.Unlock()
	key := string(job.Header[:])
	if is, ok := w.issued.get(key); ok {
		return is
	}
	is := newIssue(job, targetFor(w.difficulty))
	w.issued.put(key, is)
	return is
}

// issued returns the getWork work given for header, if any.
func (w *worker) issuedFor(header [32]byte) (issue, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.issued.get(string(header[:]))
}

// expireWorkers forgets the workers not seen for a window.
func (p *Pool) expireWorkers(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, w := range p.workers {
		w.mu.Lock()
		idle := now.Sub(w.lastSeen) > p.cfg.Window
		w.mu.Unlock()
		if idle {
			delete(p.workers, name)
			p.metrics.forget(name)
		}
	}
}
