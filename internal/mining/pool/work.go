package pool

import (
	"math/big"
	"sync"
)

// Job is one piece of the node's work: a block header to seal.
type Job struct {
	Header [32]byte // the header's seal hash (eth_getWork's first member)
	Seed   [32]byte // identifies the epoch's cache and DAG
	Target *big.Int // the node's target: 2^256 / network difficulty
	Height uint64   // the number of the block being sealed

	seq uint64 // order of arrival
}

// Difficulty is the network difficulty, 2^256 / Target.
func (j *Job) Difficulty() float64 { return difficultyOf(j.Target) }

// Job retention (see the package documentation).
const (
	keptJobs   = 8
	keptHeader = 64
)

// jobStore keeps the recent jobs, judges how fresh a share's job is and
// remembers each job's nonces to catch duplicates.
type jobStore struct {
	mu     sync.Mutex
	seq    uint64
	recent []*jobEntry // oldest first, at most keptJobs
	byHash map[[32]byte]*jobEntry
	gone   map[[32]byte]bool // headers that fell out of recent
	order  [][32]byte        // gone, oldest first
}

type jobEntry struct {
	job    *Job
	nonces map[uint64]bool
}

func newJobStore() *jobStore {
	return &jobStore{byHash: map[[32]byte]*jobEntry{}, gone: map[[32]byte]bool{}}
}

// add makes job the current one unless its header is already known; it
// reports whether the job is new and whether it is at a new height.
func (s *jobStore) add(job *Job) (isNew, newHeight bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byHash[job.Header]; ok {
		return false, false
	}
	cur := s.currentLocked()
	s.seq++
	job.seq = s.seq
	e := &jobEntry{job: job, nonces: map[uint64]bool{}}
	s.recent = append(s.recent, e)
	s.byHash[job.Header] = e
	if len(s.recent) > keptJobs {
		old := s.recent[0]
		s.recent = s.recent[1:]
		delete(s.byHash, old.job.Header)
		s.gone[old.job.Header] = true
		s.order = append(s.order, old.job.Header)
		if len(s.order) > keptHeader {
			delete(s.gone, s.order[0])
			s.order = s.order[1:]
		}
	}
	return true, cur == nil || cur.Height != job.Height
}

// current is the newest job, nil before the first.
func (s *jobStore) current() *Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.currentLocked()
}

func (s *jobStore) currentLocked() *Job {
	if len(s.recent) == 0 {
		return nil
	}
	return s.recent[len(s.recent)-1].job
}

// known returns the job with header if the pool still keeps it.
func (s *jobStore) known(header [32]byte) *Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.byHash[header]; e != nil {
		return e.job
	}
	return nil
}

// judge finds the job of a share and says whether it is fresh: nil error,
// or a stale or unknown-job error with the reason.
func (s *jobStore) judge(header [32]byte) (*Job, *shareError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.byHash[header]
	if e == nil {
		if s.gone[header] {
			return nil, stale("job too old")
		}
		return nil, invalid(codeStale, "unknown job")
	}
	j, head := e.job, s.currentLocked().Height
	switch {
	case j.Height == head:
		return j, nil
	case j.Height+1 == head && s.lastAtHeightLocked(j):
		return j, nil
	case j.Height+1 == head:
		return j, stale("job replaced at its height before the chain moved on")
	default:
		return j, stale("job for an old block")
	}
}

// lastAtHeightLocked reports whether no newer job has j's height.
func (s *jobStore) lastAtHeightLocked(j *Job) bool {
	for _, e := range s.recent {
		if e.job.Height == j.Height && e.job.seq > j.seq {
			return false
		}
	}
	return true
}

// seen reports whether nonce was already claimed for header.
func (s *jobStore) seen(header [32]byte, nonce uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.byHash[header]
	return e != nil && e.nonces[nonce]
}

// claim records nonce for header, so that of two equal shares only one
// counts: nil, a duplicate error, or a stale one if the job went meanwhile.
func (s *jobStore) claim(header [32]byte, nonce uint64) *shareError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.byHash[header]
	switch {
	case e == nil:
		return stale("job too old")
	case e.nonces[nonce]:
		return duplicate()
	}
	e.nonces[nonce] = true
	return nil
}
