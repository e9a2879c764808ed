// Package powtest runs a real proof-of-work node for tests: core-geth
// (built from the tools/coregeth module) on a private ethash dev chain
// (--dev.pow, difficulty 131072, epoch 0) that does not mine by itself,
// so eth_getWork serves work to the miner or pool under test and a
// solution they submit extends the chain.
//
// The binary is found through ETHFLEET_CORE_GETH (.ci/run builds it and
// sets it). Without it a test using Start is skipped with a message
// saying how to build it; under CI (CI set) it fails instead.
package powtest
