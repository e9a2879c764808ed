package main

import (
	"fmt"
	"strconv"
)

// proxyKinds are the calls the proxy mix rotates through.
var proxyKinds = []string{"blockNumber", "block", "fullBlock", "balance", "batch10"}

// mixes names the request mixes; each appends the i-th request's body to
// buf, with block numbers cycling over [lo, lo+span).
var mixes = map[string]func(buf []byte, i, lo, span uint64) []byte{
	"proxy": func(buf []byte, i, lo, span uint64) []byte {
		return appendCall(buf, proxyKinds[i%uint64(len(proxyKinds))], i, lo, span)
	},
	"blockNumber": kind("blockNumber"),
	"block":       kind("block"),
	"fullBlock":   kind("fullBlock"),
	"balance":     kind("balance"),
	"batch10":     kind("batch10"),
}

func kind(k string) func(buf []byte, i, lo, span uint64) []byte {
	return func(buf []byte, i, lo, span uint64) []byte { return appendCall(buf, k, i, lo, span) }
}

// fixedMix sends body every time.
func fixedMix(body string) func(buf []byte, i, lo, span uint64) []byte {
	return func(buf []byte, _, _, _ uint64) []byte { return append(buf, body...) }
}

func appendCall(buf []byte, kind string, i, lo, span uint64) []byte {
	n := lo + i%span
	switch kind {
	case "blockNumber":
		return appendRequest(buf, i, "eth_blockNumber")
	case "block", "fullBlock":
		buf = appendRequest(buf, i, "eth_getBlockByNumber")
		buf = appendHex(append(buf[:len(buf)-1], `,"params":[`...), n)
		return append(buf, ","+strconv.FormatBool(kind == "fullBlock")+"]}"...)
	case "balance":
		buf = appendRequest(buf, i, "eth_getBalance")
		buf = append(buf[:len(buf)-1], `,"params":["0x`...)
		buf = fmt.Appendf(buf, "%040x", i*0x9e3779b97f4a7c15)
		buf = appendHex(append(buf, `",`...), n)
		return append(buf, "]}"...)
	case "batch10":
		buf = append(buf, '[')
		for j := range uint64(10) {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = appendCall(buf, "block", i*10+j, lo, span)
		}
		return append(buf, ']')
	}
	panic("unknown call kind " + kind)
}

// appendRequest appends {"jsonrpc":"2.0","id":i,"method":m}.
func appendRequest(buf []byte, id uint64, method string) []byte {
	buf = append(buf, `{"jsonrpc":"2.0","id":`...)
	buf = strconv.AppendUint(buf, id, 10)
	buf = append(buf, `,"method":"`...)
	buf = append(buf, method...)
	return append(buf, `"}`...)
}

// appendHex appends "0x..." with quotes.
func appendHex(buf []byte, n uint64) []byte {
	buf = append(buf, `"0x`...)
	buf = strconv.AppendUint(buf, n, 16)
	return append(buf, '"')
}
