package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Options configure a server; zero values are fine.
type Options struct {
	// CertFile and KeyFile, when both set, serve HTTPS.
	CertFile, KeyFile string
	// ReadHeaderTimeout closes a connection whose request headers take
	// longer; IdleTimeout an idle keep-alive connection.
	ReadHeaderTimeout, IdleTimeout time.Duration
	// Grace bounds the graceful part of Stop (default 5s).
	Grace  time.Duration
	Logger *slog.Logger
}

// Server is a running HTTP server.
type Server struct {
	name  string
	addr  net.Addr
	srv   *http.Server
	grace time.Duration
	log   *slog.Logger
	done  chan struct{}
}

// Start listens on addr and serves h until Stop.
func Start(name, addr string, h http.Handler, opts Options) (*Server, error) {
	if opts.Grace <= 0 {
		opts.Grace = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	var tlsConfig *tls.Config
	if opts.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(opts.CertFile, opts.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s: TLS: %w", name, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	s := &Server{
		name: name,
		addr: ln.Addr(),
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: opts.ReadHeaderTimeout,
			IdleTimeout:       opts.IdleTimeout,
			ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug),
		},
		grace: opts.Grace,
		log:   opts.Logger,
		done:  make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("server stopped", "server", name, "err", err)
		}
	}()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.addr }

// Stop drains requests for the grace period, then closes every connection
// still open: a client holding one (one still waiting for its first
// request counts as busy) must not keep the process from stopping.
func (s *Server) Stop() error {
	defer func() { <-s.done }()
	ctx, cancel := context.WithTimeout(context.Background(), s.grace)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.log.Warn("server did not drain in time; closing its connections", "server", s.name, "err", err)
		return s.srv.Close()
	}
	return nil
}
