package pool

import (
	"context"
	"math/big"
	"time"
)

// Outcome is what became of a share.
type Outcome string

// The outcomes of a share.
const (
	Accepted  Outcome = "accepted"
	Stale     Outcome = "stale"
	Invalid   Outcome = "invalid"
	Duplicate Outcome = "duplicate"
)

// shareError is a refused share: its outcome and the reason the miner is
// told.
type shareError struct {
	outcome Outcome
	rpc     *rpcError
}

func (e *shareError) Error() string { return e.rpc.Message }
func (e *shareError) Unwrap() error { return e.rpc }

func stale(reason string) *shareError {
	return &shareError{Stale, errorf(codeStale, "stale share: %s", reason)}
}

func invalid(code int, format string, args ...any) *shareError {
	return &shareError{Invalid, errorf(code, "invalid share: "+format, args...)}
}

func duplicate() *shareError {
	return &shareError{Duplicate, errorf(codeDuplicate, "duplicate share: this nonce was submitted for this job before")}
}

// issue is the work as one miner was given it: the job and the share
// target, with the difficulty a share against it is credited.
type issue struct {
	job        *Job
	target     *big.Int
	difficulty float64
}

func newIssue(job *Job, target *big.Int) issue {
	return issue{job: job, target: target, difficulty: difficultyOf(target)}
}

// issueLog remembers the last work handed to one miner, by key (the
// header for getWork and stratum1, the job id for stratum2): a share is
// judged against the target its miner was given.
type issueLog struct {
	byKey map[string]issue
	order []string
}

const keptIssues = 16

func (l *issueLog) get(key string) (issue, bool) {
	is, ok := l.byKey[key]
	return is, ok
}

func (l *issueLog) put(key string, is issue) {
	if l.byKey == nil {
		l.byKey = map[string]issue{}
	}
	if _, ok := l.byKey[key]; !ok {
		l.order = append(l.order, key)
	}
	l.byKey[key] = is
	if len(l.order) > keptIssues {
		delete(l.byKey, l.order[0])
		l.order = l.order[1:]
	}
}

// share is one submitted solution.
type share struct {
	worker *worker
	issue  issue
	nonce  uint64
	mix    *[32]byte // nil when the miner sends none (stratum2)
}

// submit judges a share, records its outcome and forwards it to the node
// when it meets the network target. It returns nil for an accepted share,
// else an error with the reason for the miner.
func (p *Pool) submit(ctx context.Context, sh share) error {
	w, header := sh.worker, sh.issue.job.Header
	now := p.now()
	if !w.allow(now) {
		return errorf(codeLimit, "rate limited: more than %g shares a second", p.cfg.MaxSharesPerSecond)
	}
	mix, result, serr := p.judge(sh)
	if serr == nil {
		serr = p.jobs.claim(header, sh.nonce)
	}
	if serr != nil {
		p.record(w, now, serr.outcome, 0)
		p.log.Debug("share refused", "worker", w.name, "nonce", sh.nonce, "reason", serr.rpc.Message)
		return serr
	}
	p.record(w, now, Accepted, sh.issue.difficulty)
	if meets(result, sh.issue.job.Target) {
		p.forward(ctx, sh.issue.job, sh.nonce, mix)
	}
	return nil
}

// judge checks everything about a share but whether it came before.
func (p *Pool) judge(sh share) (mix, result [32]byte, serr *shareError) {
	job, serr := p.jobs.judge(sh.issue.job.Header)
	if serr != nil {
		return mix, result, serr
	}
	if p.jobs.seen(job.Header, sh.nonce) {
		return mix, result, duplicate()
	}
	mix, result, err := p.verifier.Verify(job.Height, job.Header, sh.nonce)
	if err != nil {
		return mix, result, invalid(codeOther, "verification failed: %v", err)
	}
	if sh.mix != nil && *sh.mix != mix {
		return mix, result, invalid(codeOther, "mix digest does not match")
	}
	if !meets(result, sh.issue.target) {
		return mix, result, invalid(codeLowDifficulty, "result above the share target (low difficulty share)")
	}
	return mix, result, nil
}

// forward submits a block solution to the node.
func (p *Pool) forward(ctx context.Context, job *Job, nonce uint64, mix [32]byte) {
	ok, err := p.node.submitWork(ctx, nonce, job.Header, mix)
	switch {
	case err != nil:
		p.log.Warn("submitting a block solution failed", "height", job.Height, "nonce", nonce, "err", err)
	case !ok:
		p.log.Warn("the node refused a block solution", "height", job.Height, "nonce", nonce)
	default:
		p.log.Info("block found", "height", job.Height, "nonce", nonce)
		p.mu.Lock()
		p.blocks++
		p.mu.Unlock()
		p.metrics.blocks.Inc()
		p.pollNow()
	}
}

// record counts a share's outcome for its worker.
func (p *Pool) record(w *worker, now time.Time, o Outcome, difficulty float64) {
	w.record(now, o, difficulty)
	p.metrics.shares.WithLabelValues(w.name, string(o)).Inc()
}
