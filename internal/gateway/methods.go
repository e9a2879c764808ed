package gateway

// knownMethods are the standard execution API methods, the only method
// names used as metric labels: any other name would let a client grow the
// metrics without bound. Each maps to itself, so that a name parsed from a
// request can share the map's copy.
var knownMethods = map[string]string{}

func init() {
	for _, m := range []string{
		"eth_accounts", "eth_blobBaseFee", "eth_blockNumber", "eth_call", "eth_chainId",
		"eth_coinbase", "eth_createAccessList", "eth_estimateGas", "eth_feeHistory",
		"eth_gasPrice", "eth_getBalance", "eth_getBlockByHash", "eth_getBlockByNumber",
		"eth_getBlockReceipts", "eth_getBlockTransactionCountByHash",
		"eth_getBlockTransactionCountByNumber", "eth_getCode", "eth_getFilterChanges",
		"eth_getFilterLogs", "eth_getHeaderByHash", "eth_getHeaderByNumber", "eth_getLogs",
		"eth_getProof", "eth_getRawTransactionByHash", "eth_getStorageAt",
		"eth_getTransactionByBlockHashAndIndex", "eth_getTransactionByBlockNumberAndIndex",
		"eth_getTransactionByHash", "eth_getTransactionCount", "eth_getTransactionReceipt",
		"eth_getUncleCountByBlockHash", "eth_getUncleCountByBlockNumber", "eth_maxPriorityFeePerGas",
		"eth_newBlockFilter", "eth_newFilter", "eth_newPendingTransactionFilter",
		"eth_sendRawTransaction", "eth_simulateV1", "eth_subscribe", "eth_syncing",
		"eth_uninstallFilter", "eth_unsubscribe", "net_listening", "net_peerCount",
		"net_version", "web3_clientVersion", "web3_sha3",
	} {
		knownMethods[m] = m
	}
}

// methodName returns the name b spells, without a copy for known methods.
func methodName(b []byte) string {
	if m, ok := knownMethods[string(b)]; ok {
		return m
	}
	return string(b)
}

// methodLabel returns the method name for metrics, or "other".
func methodLabel(method string) string {
	if _, ok := knownMethods[method]; ok {
		return method
	}
	return "other"
}
