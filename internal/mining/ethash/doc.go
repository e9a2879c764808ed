// Package ethash verifies ethash and etchash proof of work in light mode:
// what a pool needs to check a miner's share without the 1 GiB+ dataset.
//
// An Algorithm says how block heights map to epochs (30000 blocks for
// ethash; 60000 for etchash from its ECIP-1099 activation block), what seed
// hash getWork reports for a height, and how big the cache and dataset of an
// epoch are. A Verifier computes (mix digest, result) for a header hash and
// nonce with github.com/sencha-dev/powkit, holding the verification caches
// of the current and previous epoch in memory (never on disk).
//
// Target, Difficulty and Meets convert between a difficulty d and the
// 256-bit boundary 2^256/d a result must not exceed.
package ethash
