// Package miner is a CPU miner for ethash and etchash test networks, the
// engine of `ethfleet mine`.
//
// A Miner connects to a pool (or straight to a node's getWork) in one of
// three dialects, chosen by the pool URL's scheme:
//
//   - http:// or https://: getWork over HTTP JSON-RPC. The worker name is
//     the URL's path (http://host:port/WORKER). eth_getWork is polled,
//     solutions go to eth_submitWork [nonce, header, mix] and the measured
//     rate to eth_submitHashrate [rate, id] every HashrateInterval.
//   - stratum+tcp:// (or stratum2+tcp://): EthereumStratum/1.0.0 as
//     NiceHash specified it: mining.subscribe, mining.authorize,
//     mining.set_difficulty (difficulty 1 is the target 0xffff·2^208),
//     mining.notify [job, seed, header, clean], mining.set_extranonce
//     (effective from the next job) and mining.submit [worker, job,
//     nonce without the extranonce].
//   - stratum1+tcp://: EthProxy, the dialect ethminer calls stratum1:
//     eth_submitLogin, eth_getWork, work pushed as a result with id 0,
//     eth_submitWork.
//
// Threads split the nonce space of a job from a random start; a new job
// stops the search on the old one. Hashing is behind the Hasher
// interface: Light computes ethash/etchash from the verification cache
// alone (about 6 ms a hash, enough for tests at a small share
// difficulty); a full-DAG hasher plugs in the same way.
package miner
