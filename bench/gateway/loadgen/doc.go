// Command loadgen is the gateway benchmarks' load generator. It prints its
// result as one JSON line on stdout.
//
//	loadgen -mode max  -url URL [-mix proxy] [-workers 64] [-d 10s]
//	    closed loop: workers send requests back to back; reports requests/s.
//	loadgen -mode rate -url URL -rate R [-mix proxy] [-d 10s]
//	    open loop: requests start at a fixed rate whatever the answers do;
//	    reports latency percentiles, each measured from when the request was
//	    due, so a stalled server is not let off (no coordinated omission).
//	loadgen -mode ws   -url WS_URL [-clients 10000] [-heads 10] [-pid PID]
//	    opens the clients, each subscribes to newHeads, and waits for the
//	    next -heads heads; reports fan-out latency (receive time minus the
//	    emission time the stub writes into each header's extraData), heads
//	    missed and duplicated, and the RSS of process PID (the gateway).
//	loadgen -mode fanfloor -url tcp://ADDR [-clients 10000] [-heads 10] [-size 1400]
//	    reads upstream -fanout's messages on as many plain TCP connections:
//	    the floor under the ws mode's fan-out latency on this machine.
//
// Mixes vary their params on every request: -mix proxy rotates
// eth_blockNumber, eth_getBlockByNumber with hashes and with full
// transactions, eth_getBalance of varied addresses, and a batch of 10
// eth_getBlockByNumber, over the -blocks newest blocks at start. The other
// mixes send one of those kinds only, or -body as it is (-mix fixed).
//
// Each worker POSTs over its own keep-alive HTTP/1.1 connection, without
// compression, and reads the answer itself with net/http's response parser,
// reusing its buffers: net/http's client, with two goroutines per
// connection, cost more CPU than the servers it was to measure. The
// generator reports its own CPU use ("cpu", in cores) so a run where it
// was the bottleneck shows.
package main
