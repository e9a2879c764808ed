package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/gorilla/websocket"
)

// stubConfig describes the stub node.
type stubConfig struct {
	peers uint64
}

// newStubHandler serves c over JSON-RPC (HTTP and WebSocket on the same
// path) and /bare.
func newStubHandler(c *chain, cfg stubConfig) (http.Handler, error) {
	srv := rpc.NewServer()
	for ns, api := range map[string]any{
		"eth":  &ethAPI{c},
		"net":  &netAPI{chainID: c.chainID, peers: cfg.peers},
		"web3": web3API{},
	} {
		if err := srv.RegisterName(ns, api); err != nil {
			return nil, fmt.Errorf("register %s: %w", ns, err)
		}
	}
	ws := srv.WebsocketHandler([]string{"*"})
	mux := http.NewServeMux()
	mux.Handle("/bare", &bareHandler{})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if websocket.IsWebSocketUpgrade(r) {
			ws.ServeHTTP(w, r)
			return
		}
		srv.ServeHTTP(w, r)
	})
	return mux, nil
}

// bareHandler is the floor the gateway's cached answers are held to: it
// reads the request and writes fixed bytes, the ones last PUT to it.
type bareHandler struct{ body atomic.Pointer[[]byte] }

func (h *bareHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.body.Store(&b)
		return
	}
	io.Copy(io.Discard, r.Body)
	b := h.body.Load()
	if b == nil {
		http.Error(w, "nothing PUT yet", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(*b)))
	w.Write(*b)
}

var errNoBlock = errors.New("header not found")

// ethAPI is the eth namespace: what the gateway's probe, router and head
// feed ask, and what the load generator sends.
type ethAPI struct{ c *chain }

func (a *ethAPI) ChainId() hexutil.Uint64     { return hexutil.Uint64(a.c.chainID) }
func (a *ethAPI) BlockNumber() hexutil.Uint64 { return hexutil.Uint64(a.c.head().number) }
func (a *ethAPI) Syncing() bool               { return false }
func (a *ethAPI) GasPrice() *hexutil.Big      { return (*hexutil.Big)(big.NewInt(8)) }

// resolve turns a block number or tag into a block, nil if there is none.
func (a *ethAPI) resolve(n rpc.BlockNumber) *block {
	switch n {
	case rpc.LatestBlockNumber, rpc.PendingBlockNumber:
		return a.c.head()
	case rpc.FinalizedBlockNumber, rpc.SafeBlockNumber:
		return a.c.finalized()
	case rpc.EarliestBlockNumber:
		return a.c.byNumber(0)
	}
	if n < 0 {
		return nil
	}
	return a.c.byNumber(uint64(n))
}

func (a *ethAPI) resolveEither(at rpc.BlockNumberOrHash) *block {
	if h, ok := at.Hash(); ok {
		return a.c.blockByHash(h)
	}
	n, _ := at.Number()
	return a.resolve(n)
}

func shape(b *block, full bool) json.RawMessage {
	switch {
	case b == nil:
		return json.RawMessage("null")
	case full:
		return b.full
	default:
		return b.light
	}
}

func (a *ethAPI) GetBlockByNumber(n rpc.BlockNumber, full bool) json.RawMessage {
	return shape(a.resolve(n), full)
}

func (a *ethAPI) GetBlockByHash(h common.Hash, full bool) json.RawMessage {
	return shape(a.c.blockByHash(h), full)
}

// GetBalance answers a balance that depends on the address and the block.
func (a *ethAPI) GetBalance(addr common.Address, at rpc.BlockNumberOrHash) (*hexutil.Big, error) {
	b := a.resolveEither(at)
	if b == nil {
		return nil, errNoBlock
	}
	v := new(big.Int).SetUint64(binary.BigEndian.Uint64(addr[12:]) ^ b.number)
	return (*hexutil.Big)(v.Lsh(v, 20)), nil
}

func (a *ethAPI) GetTransactionCount(addr common.Address, at rpc.BlockNumberOrHash) (hexutil.Uint64, error) {
	b := a.resolveEither(at)
	if b == nil {
		return 0, errNoBlock
	}
	return hexutil.Uint64(b.number), nil
}

// GetLogs finds nothing: the stub's transactions emit no logs.
func (a *ethAPI) GetLogs(filter json.RawMessage) []struct{} { return []struct{}{} }

// NewHeads is eth_subscribe("newHeads").
func (a *ethAPI) NewHeads(ctx context.Context) (*rpc.Subscription, error) {
	n, ok := rpc.NotifierFromContext(ctx)
	if !ok {
		return nil, rpc.ErrNotificationsUnsupported
	}
	sub := n.CreateSubscription()
	heads, stop := a.c.watch()
	go func() {
		defer stop()
		for {
			select {
			case h := <-heads:
				if err := n.Notify(sub.ID, h); err != nil {
					return
				}
			case <-sub.Err():
				return
			}
		}
	}()
	return sub, nil
}

type netAPI struct{ chainID, peers uint64 }

func (a *netAPI) PeerCount() hexutil.Uint64 { return hexutil.Uint64(a.peers) }
func (a *netAPI) Version() string           { return strconv.FormatUint(a.chainID, 10) }
func (a *netAPI) Listening() bool           { return true }

type web3API struct{}

func (web3API) ClientVersion() string { return "ethfleet-bench-stub/v1" }
