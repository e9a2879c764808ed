// Package pool is the mining pool in front of one proof-of-work node
// (`ethfleet pool`): it takes the node's work from eth_getWork, hands it to
// miners over getWork HTTP and stratum TCP (EthProxy/stratum1 and
// EthereumStratum/1.0.0 on one port) at a per-worker share difficulty far
// below the network's, verifies every share through a Verifier (ethash or
// etchash light verification), forwards the shares that meet the network
// target with eth_submitWork, and measures each worker's hashrate from the
// shares it proves rather than the rate it claims.
//
// The rules, in one place:
//
//   - Jobs. The pool polls eth_getWork every pollInterval; a new header is a
//     new job. It keeps the last 8 jobs by header. The head is the height of
//     the newest job. A share is judged fresh when its job's height is the
//     head (a job replaced at the same height, e.g. by new transactions,
//     still counts: the node can still seal it), or when its job was the
//     last one at height head-1 (a miner that had not yet heard of the new
//     block). Any other known job, and a job that fell out of the last 8
//     (the pool remembers 64 such headers), is stale. A header the pool
//     never handed out is invalid ("unknown job").
//   - Shares. A share is valid when the computed mix digest equals the one
//     submitted (stratum2 miners send none; the pool computes it) and the
//     result, as a big-endian number, is at most the share target the
//     worker was given for that job. The same nonce for the same job is a
//     duplicate, whoever sends it. A valid share whose result is at most
//     the node's target is forwarded with eth_submitWork exactly once; the
//     node's true counts a block.
//   - Difficulty. Share target = 2^256 / difficulty (getWork, stratum1). A
//     worker keeps the target it was first given for a job: a difficulty
//     change takes effect from the next job (stratum2 miners get a fresh
//     job id for the same header right away, after mining.set_difficulty).
//     EthereumStratum/1.0.0 difficulty d is NiceHash's, Bitcoin-like:
//     target = 0x00000000ffff0000…0 / d, so d = D·0xffff/2^48 for a pool
//     difficulty D; the share is judged against that exact target.
//   - Vardiff. Per worker, at most every window/8: the ideal difficulty is
//     H·window/targetShares (H the verified hashrate); the factor to it is
//     clamped to [1/4, 4]; factors within [0.8, 1.25] change nothing; the
//     result is kept within [minShareDifficulty, network difficulty].
//   - Hashrate. H = Σ difficulty of the accepted shares in the window /
//     window, where a worker younger than the window is measured over its
//     age. The 95% interval is the exact (Garwood) Poisson interval for the
//     count N of accepted shares, scaled by H/N; above 100 shares it uses
//     Byar's approximation of the same, within 0.1%. The rate miners report
//     (eth_submitHashrate) is shown beside it and never used for decisions.
//   - Limits. Each worker may submit maxSharesPerSecond shares a second (a
//     token bucket with a burst of twice that); more are refused with a
//     reason. Malformed lines, lines over 16 KiB, unknown methods
//     and submits before authorizing are answered with JSON-RPC errors; a
//     stratum connection closes after 32 refusals or such errors in a row.
//
// GET /stats on the getWork listener reports the figures as JSON; GET
// /metrics the ethfleet_mining_* metrics of the registry the pool was given.
package pool
