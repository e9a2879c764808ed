package ethash

import (
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	gethethash "github.com/ethereum/go-ethereum/consensus/ethash"
	"github.com/ethereum/go-ethereum/core/types"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hash32(t testing.TB, s string) [32]byte {
	var h [32]byte
	copy(h[:], mustHex(t, s))
	return h
}

// vector is a sealed block: the header hash the miner hashed (the seal hash,
// getWork's powHash), its nonce, mix digest and difficulty.
type vector struct {
	name       string
	height     uint64
	header     [32]byte
	nonce      uint64
	mix        [32]byte
	difficulty *big.Int
	result     [32]byte // when known; zero otherwise
}

// sealed turns a real block header into a vector, checking first that the
// header is the block it claims to be.
func sealed(t *testing.T, name string, h *types.Header, blockHash string) vector {
	t.Helper()
	if blockHash != "" && h.Hash() != common.HexToHash(blockHash) {
		t.Fatalf("%s: header hash %s, want %s", name, h.Hash(), blockHash)
	}
	return vector{
		name:       name,
		height:     h.Number.Uint64(),
		header:     gethethash.NewFaker().SealHash(h),
		nonce:      h.Nonce.Uint64(),
		mix:        h.MixDigest,
		difficulty: h.Difficulty,
	}
}

// mainnetBlock1 is Ethereum mainnet block 1 (epoch 0).
func mainnetBlock1(t *testing.T) vector {
	return sealed(t, "mainnet block 1", &types.Header{
		ParentHash:  common.HexToHash("0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"),
		UncleHash:   types.EmptyUncleHash,
		Coinbase:    common.HexToAddress("0x05a56e2d52c817161883f50c441c3228cfe54d9f"),
		Root:        common.HexToHash("0xd67e4d450343046425ae4271474353857ab860dbc0a1dde64b41b5cd3a532bf3"),
		TxHash:      types.EmptyTxsHash,
		ReceiptHash: types.EmptyReceiptsHash,
		Difficulty:  big.NewInt(0x3ff800000),
		Number:      big.NewInt(1),
		GasLimit:    5000,
		Time:        0x55ba4224,
		Extra:       []byte("Geth/v1.0.0/linux/go1.4.2"),
		MixDigest:   common.HexToHash("0x969b900de27b6ac6a67742365dd65f55a0526c41fd18e1b16f1a1215c2e66f59"),
		Nonce:       types.EncodeNonce(0x539bd4979fef1ec4),
	}, "0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6")
}

// mainnetBlock3311058 is the mainnet block go-ethereum's cache tests use
// (epoch 110).
func mainnetBlock3311058(t *testing.T) vector {
	return sealed(t, "mainnet block 3311058", &types.Header{
		Number:      big.NewInt(3311058),
		ParentHash:  common.HexToHash("0xd783efa4d392943503f28438ad5830b2d5964696ffc285f338585e9fe0a37a05"),
		UncleHash:   types.EmptyUncleHash,
		Coinbase:    common.HexToAddress("0xc0ea08a2d404d3172d2add29a45be56da40e2949"),
		Root:        common.HexToHash("0x77d14e10470b5850332524f8cd6f69ad21f070ce92dca33ab2858300242ef2f1"),
		TxHash:      types.EmptyTxsHash,
		ReceiptHash: types.EmptyReceiptsHash,
		Difficulty:  big.NewInt(167925187834220),
		GasLimit:    4015682,
		Time:        1488928920,
		Extra:       []byte("www.bw.com"),
		MixDigest:   common.HexToHash("0x3e140b0784516af5e5ec6730f2fb20cca22f32be399b9e4ad77d32541f798cd0"),
		Nonce:       types.EncodeNonce(0xf400cd0006070c49),
	}, "")
}

// classicBlock11700000 is Ethereum Classic's first etchash block (ECIP-1099
// activation; etchash epoch 195), as core-geth's TestEtchash_11700000 has it.
func classicBlock11700000(t *testing.T) vector {
	return sealed(t, "classic block 11700000", &types.Header{
		ParentHash:  common.HexToHash("0xadaa50fd7a72baa19df873163b563c7cfa5ad254ca8dcf3b019076499e219e2e"),
		UncleHash:   types.EmptyUncleHash,
		Coinbase:    common.HexToAddress("0xdf7d7e053933b5cc24372f878c90e62dadad5d42"),
		Root:        common.HexToHash("0x373bd9a0991eff6c03f5ead0f25a0466a2ae10cf80cb37bd51d144f68668af29"),
		TxHash:      types.EmptyTxsHash,
		ReceiptHash: types.EmptyReceiptsHash,
		Difficulty:  big.NewInt(0x317df020bde4),
		Number:      big.NewInt(11_700_000),
		GasLimit:    0x7a6d21,
		Time:        0x5fc2a999,
		Extra:       mustHex(t, "7374726174756d2d65752d31"),
		MixDigest:   common.HexToHash("0x5f688fe8043392fd60d661edd5744dcb3d557042d3e472e7a708294c34216fb8"),
		Nonce:       types.EncodeNonce(0x69710a743181b923),
	}, "0x3cdbd6d80f7fd983ac2a6b13230f56c61dc58cef3deeaeaffda36ca5efc6cb31")
}

// classicBlock12000000 is powkit's Ethereum Classic test vector (etchash
// epoch 200).
func classicBlock12000000(t *testing.T) vector {
	return vector{
		name:       "classic block 12000000",
		height:     12_000_000,
		header:     hash32(t, "9451157911b225460f07e5eac6f63e39a0f4a6952ba544302c6b2aae51f36064"),
		nonce:      0x37850ed39b8fedee,
		mix:        hash32(t, "929ce5aad1cfe51bfc88104b0ce6fdde605d21a6e1fa171cafbf7cccf310c626"),
		difficulty: big.NewInt(1 << 40),
		result:     hash32(t, "0000000000012c6470946acc24916d4c5d4c4f143fef2db2f40e1d7e2e47776f"),
	}
}
