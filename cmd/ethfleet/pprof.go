//go:build pprof

// Profiling builds (go build -tags pprof ./cmd/ethfleet) serve
// net/http/pprof on the address in $ETHFLEET_PPROF (127.0.0.1:0 picks a
// port) and print it on stderr. bench/gateway/run -profile uses them.

package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("ETHFLEET_PPROF")
	if addr == "" {
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ethfleet: pprof:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "pprof http://%s/debug/pprof/\n", ln.Addr())
	go http.Serve(ln, nil)
}
