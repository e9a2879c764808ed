package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// chain is the stub's made-up chain. Every block is encoded once, when it
// is made, in the three shapes the stub serves: header (newHeads), block
// with transaction hashes, and block with full transactions.
type chain struct {
	chainID    uint64
	txPerBlock int
	finality   uint64 // blocks between the head and the finalized block

	mu       sync.RWMutex
	blocks   []*block // by number
	byHash   map[common.Hash]*block
	watchers map[chan json.RawMessage]struct{}
}

type block struct {
	number              uint64
	hash                common.Hash
	header, light, full json.RawMessage
}

// newChain returns a chain whose head is block start, every block up to it
// made at now.
func newChain(chainID, start uint64, txPerBlock int, finality uint64, blockTime time.Duration, now time.Time) (*chain, error) {
	c := &chain{chainID: chainID, txPerBlock: txPerBlock, finality: finality, byHash: map[common.Hash]*block{}, watchers: map[chan json.RawMessage]struct{}{}}
	for n := uint64(0); n <= start; n++ {
		ts := now.Add(-time.Duration(start-n) * blockTime)
		b, err := c.makeBlock(n, ts, now)
		if err != nil {
			return nil, err
		}
		c.append(b)
	}
	return c, nil
}

// produce makes the next block, emitted now, and pushes its header to the
// watchers.
func (c *chain) produce(now time.Time) error {
	b, err := c.makeBlock(c.head().number+1, now, now)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.append(b)
	for ch := range c.watchers {
		select {
		case ch <- b.header:
		default: // a watcher that does not keep up misses heads, as on a node
		}
	}
	return nil
}

func (c *chain) append(b *block) {
	c.blocks = append(c.blocks, b)
	c.byHash[b.hash] = b
}

func (c *chain) head() *block {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.blocks[len(c.blocks)-1]
}

// byNumber returns block n, or nil if the chain has not reached it.
func (c *chain) byNumber(n uint64) *block {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if n >= uint64(len(c.blocks)) {
		return nil
	}
	return c.blocks[n]
}

func (c *chain) blockByHash(h common.Hash) *block {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.byHash[h]
}

func (c *chain) finalized() *block {
	head := c.head().number
	return c.byNumber(head - min(head, c.finality))
}

// watch returns a channel that receives every new head's header.
func (c *chain) watch() (<-chan json.RawMessage, func()) {
	ch := make(chan json.RawMessage, 16)
	c.mu.Lock()
	c.watchers[ch] = struct{}{}
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		delete(c.watchers, ch)
		c.mu.Unlock()
	}
}

// blockHash is block n's hash: made up, fixed, and different for every n.
func blockHash(n uint64) common.Hash {
	return crypto.Keccak256Hash([]byte("ethfleet bench stub"), binary.BigEndian.AppendUint64(nil, n))
}

// emitTime reads the emission time a header carries in its extraData.
func emitTime(extra []byte) (time.Time, bool) {
	if len(extra) != 8 {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(extra))), true
}

// headerJSON is a header as geth encodes it (Prague fields included).
type headerJSON struct {
	BaseFee          hexutil.Uint64   `json:"baseFeePerGas"`
	BlobGasUsed      hexutil.Uint64   `json:"blobGasUsed"`
	Difficulty       hexutil.Uint64   `json:"difficulty"`
	ExcessBlobGas    hexutil.Uint64   `json:"excessBlobGas"`
	ExtraData        hexutil.Bytes    `json:"extraData"`
	GasLimit         hexutil.Uint64   `json:"gasLimit"`
	GasUsed          hexutil.Uint64   `json:"gasUsed"`
	Hash             common.Hash      `json:"hash"`
	LogsBloom        types.Bloom      `json:"logsBloom"`
	Miner            common.Address   `json:"miner"`
	MixHash          common.Hash      `json:"mixHash"`
	Nonce            types.BlockNonce `json:"nonce"`
	Number           hexutil.Uint64   `json:"number"`
	ParentBeaconRoot common.Hash      `json:"parentBeaconBlockRoot"`
	ParentHash       common.Hash      `json:"parentHash"`
	ReceiptsRoot     common.Hash      `json:"receiptsRoot"`
	RequestsHash     common.Hash      `json:"requestsHash"`
	UncleHash        common.Hash      `json:"sha3Uncles"`
	StateRoot        common.Hash      `json:"stateRoot"`
	Timestamp        hexutil.Uint64   `json:"timestamp"`
	TxRoot           common.Hash      `json:"transactionsRoot"`
	WithdrawalsRoot  common.Hash      `json:"withdrawalsRoot"`
}

type blockJSON struct {
	headerJSON
	Size         hexutil.Uint64 `json:"size"`
	Transactions any            `json:"transactions"`
	Uncles       []common.Hash  `json:"uncles"`
	Withdrawals  []struct{}     `json:"withdrawals"`
}

// txJSON is an EIP-1559 transaction as geth encodes it in a block.
type txJSON struct {
	BlockHash            common.Hash    `json:"blockHash"`
	BlockNumber          hexutil.Uint64 `json:"blockNumber"`
	From                 common.Address `json:"from"`
	Gas                  hexutil.Uint64 `json:"gas"`
	GasPrice             hexutil.Uint64 `json:"gasPrice"`
	MaxFeePerGas         hexutil.Uint64 `json:"maxFeePerGas"`
	MaxPriorityFeePerGas hexutil.Uint64 `json:"maxPriorityFeePerGas"`
	Hash                 common.Hash    `json:"hash"`
	Input                hexutil.Bytes  `json:"input"`
	Nonce                hexutil.Uint64 `json:"nonce"`
	To                   common.Address `json:"to"`
	TransactionIndex     hexutil.Uint64 `json:"transactionIndex"`
	Value                hexutil.Uint64 `json:"value"`
	Type                 hexutil.Uint64 `json:"type"`
	AccessList           []struct{}     `json:"accessList"`
	ChainID              hexutil.Uint64 `json:"chainId"`
	V                    hexutil.Uint64 `json:"v"`
	R                    common.Hash    `json:"r"`
	S                    common.Hash    `json:"s"`
	YParity              hexutil.Uint64 `json:"yParity"`
}

// makeBlock encodes block n with timestamp ts, emitted at emit.
func (c *chain) makeBlock(n uint64, ts, emit time.Time) (*block, error) {
	hash := blockHash(n)
	var parent common.Hash
	if n > 0 {
		parent = blockHash(n - 1)
	}
	h := headerJSON{
		BaseFee:    7,
		ExtraData:  binary.BigEndian.AppendUint64(nil, uint64(emit.UnixNano())),
		GasLimit:   30_000_000,
		GasUsed:    hexutil.Uint64(21_000 * c.txPerBlock),
		Hash:       hash,
		Number:     hexutil.Uint64(n),
		ParentHash: parent,
		StateRoot:  crypto.Keccak256Hash(hash[:], []byte("state")),
		Timestamp:  hexutil.Uint64(ts.Unix()),
		TxRoot:     crypto.Keccak256Hash(hash[:], []byte("txs")),
		UncleHash:  types.EmptyUncleHash,
	}
	hashes := make([]common.Hash, c.txPerBlock)
	txs := make([]txJSON, c.txPerBlock)
	for i := range txs {
		hashes[i] = crypto.Keccak256Hash(hash[:], binary.BigEndian.AppendUint64(nil, uint64(i)))
		txs[i] = txJSON{
			BlockHash: hash, BlockNumber: hexutil.Uint64(n), Hash: hashes[i],
			From: common.Address{0xfa}, To: common.BytesToAddress(hashes[i][:20]),
			Gas: 21_000, GasPrice: 8, MaxFeePerGas: 1_000_000_000, MaxPriorityFeePerGas: 1,
			Input: []byte{}, Nonce: hexutil.Uint64(n*uint64(c.txPerBlock) + uint64(i)),
			TransactionIndex: hexutil.Uint64(i), Value: 1_000_000, Type: 2, AccessList: []struct{}{},
			ChainID: hexutil.Uint64(c.chainID), R: crypto.Keccak256Hash(hashes[i][:]), S: hashes[i],
		}
	}
	header, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode header %d: %w", n, err)
	}
	light, err := json.Marshal(blockJSON{headerJSON: h, Size: 600, Transactions: hashes, Uncles: []common.Hash{}, Withdrawals: []struct{}{}})
	if err != nil {
		return nil, fmt.Errorf("encode block %d: %w", n, err)
	}
	full, err := json.Marshal(blockJSON{headerJSON: h, Size: 600, Transactions: txs, Uncles: []common.Hash{}, Withdrawals: []struct{}{}})
	if err != nil {
		return nil, fmt.Errorf("encode block %d: %w", n, err)
	}
	return &block{number: n, hash: hash, header: header, light: light, full: full}, nil
}
