package powtest

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

func TestGetWork(t *testing.T) {
	n := Start(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var work []string
	if err := n.RPC().CallContext(ctx, &work, "eth_getWork"); err != nil {
		t.Fatalf("eth_getWork: %v", err)
	}
	if len(work) != 4 {
		t.Fatalf("eth_getWork answered %d items, want [powHash, seedHash, target, blockNumber]: %q", len(work), work)
	}
	wantTarget := new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(Difficulty))
	for _, c := range []struct {
		name string
		got  string
		want *big.Int // nil: any 32-byte value
	}{
		{"powHash", work[0], nil},
		{"seedHash (epoch 0)", work[1], new(big.Int)},
		{"target", work[2], wantTarget},
		{"blockNumber", work[3], big.NewInt(1)},
	} {
		b, err := hexutil.Decode(c.got)
		if err != nil {
			// blockNumber may be a quantity without leading zeros.
			var q hexutil.Big
			if err := q.UnmarshalText([]byte(c.got)); err != nil {
				t.Fatalf("%s %q: %v", c.name, c.got, err)
			}
			b = q.ToInt().Bytes()
		}
		if c.want == nil {
			if len(b) != 32 {
				t.Errorf("%s %q is not 32 bytes", c.name, c.got)
			}
			continue
		}
		if got := new(big.Int).SetBytes(b); got.Cmp(c.want) != 0 {
			t.Errorf("%s = %s, want %#x", c.name, c.got, c.want)
		}
	}

	head, err := n.Head(ctx)
	if err != nil || head != 0 {
		t.Errorf("Head = %d, %v; want the genesis (0): the node must not mine by itself", head, err)
	}
}
