package main

import (
	"fmt"
	"io"
	"log/slog"

	gethlog "github.com/ethereum/go-ethereum/log"
)

// newLogger returns ethfleet's logger at level, and routes the embedded
// go-ethereum's own logs, at gethLevel, to the same output.
func newLogger(w io.Writer, level, gethLevel string) (*slog.Logger, error) {
	var lvl, gethLvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	if err := gethLvl.UnmarshalText([]byte(gethLevel)); err != nil {
		return nil, fmt.Errorf("--geth-log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
	gethHandler := slog.NewTextHandler(w, &slog.HandlerOptions{Level: gethLvl}).WithAttrs([]slog.Attr{slog.String("part", "geth")})
	gethlog.SetDefault(gethlog.NewLogger(gethHandler))
	return log, nil
}
