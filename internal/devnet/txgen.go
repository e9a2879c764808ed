package devnet

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
)

// txGen fills blocks with transactions from the faucet: ETH transfers to a
// rotating set of addresses and calls to the ping contract, which emit logs.
type txGen struct {
	client   *ethclient.Client
	key      *ecdsa.PrivateKey
	from     common.Address
	signer   types.Signer
	contract common.Address
	perBlock int
	pause    *sync.Mutex // held while sending, so a reorg can hold sending off
	log      *slog.Logger

	nonce uint64
	sent  uint64
}

func newTxGen(producer *Node, key *ecdsa.PrivateKey, perBlock int, pause *sync.Mutex, log *slog.Logger) *txGen {
	from := crypto.PubkeyToAddress(key.PublicKey)
	return &txGen{
		client:   ethclient.NewClient(producer.stack.Attach()),
		key:      key,
		from:     from,
		signer:   types.LatestSigner(producer.eth.BlockChain().Config()),
		contract: pingAddress(from),
		perBlock: perBlock,
		pause:    pause,
		log:      log,
	}
}

// run sends perBlock transactions every interval until ctx ends. The first
// transaction of a new chain deploys the ping contract.
func (g *txGen) run(ctx context.Context, interval time.Duration) {
	defer g.client.Close()
	if g.perBlock == 0 {
		return
	}
	if err := g.start(ctx); err != nil {
		g.log.Warn("transaction generator stopped", "err", err)
		return
	}
	every(ctx, interval, func() { g.sendBatch(ctx) })
}

// start learns the faucet's nonce and, on a new chain, deploys the ping
// contract, holding off SealBlocks meanwhile.
func (g *txGen) start(ctx context.Context) error {
	g.pause.Lock()
	defer g.pause.Unlock()
	if err := g.syncNonce(ctx); err != nil {
		return err
	}
	if g.nonce == 0 {
		if err := g.send(ctx, nil, nil, pingInitCode(), 200_000); err != nil {
			g.log.Warn("deploy ping contract", "err", err)
		}
	}
	return nil
}

// sendBatch sends one block's worth of transactions, stopping at the first
// failure and resynchronising the nonce with the pool.
func (g *txGen) sendBatch(ctx context.Context) {
	g.pause.Lock()
	defer g.pause.Unlock()
	for i := 0; i < g.perBlock && ctx.Err() == nil; i++ {
		if err := g.sendOne(ctx, i); err != nil {
			g.log.Debug("generated transaction failed", "err", err)
			if err := g.syncNonce(ctx); err != nil && ctx.Err() == nil {
				g.log.Debug("resync nonce", "err", err)
			}
			return
		}
	}
}

// sendOne alternates between a transfer and a contract call.
func (g *txGen) sendOne(ctx context.Context, i int) error {
	g.sent++
	if i%2 == 0 {
		to := common.BytesToAddress(crypto.Keccak256(binary.BigEndian.AppendUint64(nil, g.sent%64))[12:])
		return g.send(ctx, &to, big.NewInt(int64(g.sent)*params.GWei), nil, params.TxGas)
	}
	return g.send(ctx, &g.contract, nil, binary.BigEndian.AppendUint64(nil, g.sent), 60_000)
}

func (g *txGen) send(ctx context.Context, to *common.Address, value *big.Int, data []byte, gas uint64) error {
	head, err := g.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("head: %w", err)
	}
	tip := big.NewInt(params.GWei)
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
	tx, err := types.SignNewTx(g.key, g.signer, &types.DynamicFeeTx{
		ChainID:   g.signer.ChainID(),
		Nonce:     g.nonce,
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       gas,
		To:        to,
		Value:     value,
		Data:      data,
	})
	if err != nil {
		return err
	}
	if err := g.client.SendTransaction(ctx, tx); err != nil {
		return err
	}
	g.nonce++
	return nil
}

func (g *txGen) syncNonce(ctx context.Context) error {
	n, err := g.client.PendingNonceAt(ctx, g.from)
	if err != nil {
		return fmt.Errorf("nonce: %w", err)
	}
	g.nonce = n
	return nil
}
