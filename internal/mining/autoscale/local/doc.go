// Package local is the autoscale provider that runs miners as child
// processes of the controller (`ethfleet mine --config FILE` by default),
// each under a supervise.Supervisor: a miner that dies is started again
// with backoff, a miner no longer wanted gets SIGTERM and, after a
// timeout, SIGKILL. Miner i (from 1) gets ETHFLEET_MINER_INDEX=i in its
// environment and "{index}" in its arguments replaced by i, so that
// miners can name themselves apart at the pool.
package local
