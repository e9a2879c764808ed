package devnet

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// PingTopic is topic 0 of every log the devnet's contract emits; topic 1 is
// the caller's address and the data is the call's input.
var PingTopic = crypto.Keccak256Hash([]byte("Ping(address)"))

// pingRuntime is the contract's code, hand-assembled:
//
//	CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY    // memory[0:] = calldata
//	CALLER PUSH32 PingTopic CALLDATASIZE PUSH0
//	LOG2                                     // log(memory[0:cds], PingTopic, caller)
//	STOP
func pingRuntime() []byte {
	code := []byte{0x36, 0x5f, 0x5f, 0x37, 0x33, 0x7f}
	code = append(code, PingTopic.Bytes()...)
	return append(code, 0x36, 0x5f, 0xa2, 0x00)
}

// pingInitCode deploys pingRuntime: it copies the runtime that follows the
// 9-byte prefix into memory and returns it.
//
//	PUSH1 len DUP1 PUSH1 9 PUSH0 CODECOPY PUSH0 RETURN
func pingInitCode() []byte {
	runtime := pingRuntime()
	code := []byte{0x60, byte(len(runtime)), 0x80, 0x60, 0x09, 0x5f, 0x39, 0x5f, 0xf3}
	return append(code, runtime...)
}

// pingAddress is where the faucet's first transaction deploys the contract.
func pingAddress(faucet common.Address) common.Address {
	return crypto.CreateAddress(faucet, 0)
}
