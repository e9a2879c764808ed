//go:build tools

// Package tools pins core-geth (an Ethereum Classic client with ethash
// and etchash proof of work) for the mining tests: `go build` of
// github.com/ethereum/go-ethereum/cmd/geth in this module builds
// core-geth, through the replace directive in go.mod. It is a module of
// its own so that the main module's dependencies stay free of it.
package tools

import _ "github.com/ethereum/go-ethereum/cmd/geth"
