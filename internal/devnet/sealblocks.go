package devnet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

// SealBlocks seals n blocks back to back, each with perBlock transactions
// from the faucet, and hands each new head to the followers. The devnet's
// timer and transaction generator wait meanwhile, so a long chain (for a
// benchmark) takes minutes rather than n block times. Every other
// transaction sends ETH to an address no transaction used before, so the
// state grows as a busy chain's does; the rest call the ping contract,
// which emits a log. The first transaction of a new chain deploys it.
func (d *Devnet) SealBlocks(ctx context.Context, n, perBlock int) error {
	if d.sim == nil || d.gen == nil {
		return errors.New("devnet: seal blocks: the devnet is not started")
	}
	d.sealMu.Lock()
	defer d.sealMu.Unlock()
	pool := d.producer.eth.TxPool()
	chain := d.producer.eth.BlockChain()
	d.gen.nonce = pool.PoolNonce(d.gen.from)
	for range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		parent := chain.CurrentBlock()
		txs, err := d.gen.nextBlock(perBlock, parent.BaseFee)
		if err != nil {
			return fmt.Errorf("devnet: seal blocks: %w", err)
		}
		for i, err := range pool.Add(txs, true) {
			if err != nil {
				return fmt.Errorf("devnet: seal blocks: transaction %d of block %d: %w", i, parent.Number.Uint64()+1, err)
			}
		}
		d.sim.Commit()
		head := chain.CurrentBlock()
		if head.Number.Uint64() != parent.Number.Uint64()+1 {
			return fmt.Errorf("devnet: seal blocks: block %d was not sealed", parent.Number.Uint64()+1)
		}
		if got := len(chain.GetBlock(head.Hash(), head.Number.Uint64()).Transactions()); got < len(txs) {
			return fmt.Errorf("devnet: seal blocks: block %d holds %d of %d transactions", head.Number, got, len(txs))
		}
		d.publishHead()
	}
	return nil
}

// nextBlock signs perBlock transactions for SealBlocks: a transfer to a
// new address (derived from the nonce, so unique on the chain) or a ping
// call in turn, the first of a new chain deploying the contract.
func (g *txGen) nextBlock(perBlock int, baseFee *big.Int) ([]*types.Transaction, error) {
	tip := big.NewInt(params.GWei)
	feeCap := new(big.Int).Add(new(big.Int).Mul(baseFee, big.NewInt(2)), tip)
	txs := make([]*types.Transaction, 0, perBlock)
	for i := range perBlock {
		tx := &types.DynamicFeeTx{ChainID: g.signer.ChainID(), Nonce: g.nonce, GasTipCap: tip, GasFeeCap: feeCap}
		switch {
		case g.nonce == 0:
			tx.Gas, tx.Data = 200_000, pingInitCode()
		case i%2 == 0:
			to := freshAddress(g.nonce)
			tx.To, tx.Value, tx.Gas = &to, big.NewInt(params.GWei), params.TxGas
		default:
			tx.To, tx.Gas, tx.Data = &g.contract, 60_000, binary.BigEndian.AppendUint64(nil, g.nonce)
		}
		signed, err := types.SignNewTx(g.key, g.signer, tx)
		if err != nil {
			return nil, err
		}
		txs = append(txs, signed)
		g.nonce++
	}
	return txs, nil
}

// freshAddress is the recipient of the faucet's transfer with the given
// nonce.
func freshAddress(nonce uint64) common.Address {
	return common.BytesToAddress(crypto.Keccak256(binary.BigEndian.AppendUint64([]byte("devnet transfer "), nonce))[12:])
}
