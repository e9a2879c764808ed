package devnet

import "math/big"

func bigInt(n uint64) *big.Int { return new(big.Int).SetUint64(n) }
