// Package autoscale holds a mining cluster's verified hashrate inside a
// band by changing how many miners run.
//
// A Controller reads, every interval, the pool's verified hashrate (a
// Source: the pool's GET /stats) and the miners' desired and running
// counts (a Provider: local processes, an AWS Auto Scaling group, an ECS
// service or a Kubernetes Deployment, each in a sub-package), and decides.
// The rules, in the order Step applies them:
//
//   - The band is [MinHashrate, MaxHashrate]. The pool's estimate comes
//     with its 95% interval [low, high]. Only an interval entirely below
//     the band (high < MinHashrate) or entirely above it (low >
//     MaxHashrate) counts as out of band; an interval that overlaps the
//     band is noise, and never moves anything.
//   - Out of band must last: every reading for ScaleUpDelay (below) or
//     ScaleDownDelay (above). A reading inside the band, or a change,
//     starts the wait over. A pool that cannot be read neither extends nor
//     breaks the wait.
//   - A desired count outside [MinMiners, MaxMiners] (set by hand, say)
//     is brought back inside at once.
//   - After a change, nothing changes again until the provider reports as
//     many running as desired (the change took effect) or SettleTimeout
//     passed, and until Cooldown passed.
//   - The new count is ceil(target / perMiner), with target the middle of
//     the band: landing in the middle leaves the most room for noise on
//     both sides, where landing on MinHashrate would leave the next
//     estimate's interval straddling the lower edge. perMiner is the
//     verified total divided by the running miners (what the provider
//     controls and counts, whatever the miners call themselves at the
//     pool); with no miner running it is the mean of the pool's
//     per-worker rates, and failing that the last estimate. With no
//     estimate at all the count moves by one. A scale-up always adds at
//     least one miner and a scale-down removes at least one, and the
//     result is clamped to [MinMiners, MaxMiners]. So with MinMiners 0
//     and no hashrate, a band whose MinHashrate is above 0 starts one
//     miner.
//   - A provider error is recorded and counted, and the provider is left
//     alone until a backoff (doubling from RetryBackoff up to
//     MaxRetryBackoff) ran out; a failed SetDesired counts as a change if
//     the provider later reports the count it asked for.
//
// The pool's estimate lags a change by up to the pool's window, so set
// Cooldown to at least that window: a cluster estimated too soon after a
// scale-up looks slower per miner than it is.
//
// Every step yields a Decision (scale up, down, none, wait or error, with
// its inputs and reason), kept in a ring (Decisions), logged, counted in
// Prometheus metrics and, with an emf.Writer, written as an EMF line.
package autoscale
