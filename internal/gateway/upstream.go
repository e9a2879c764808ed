package gateway

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ethfleet/ethfleet/internal/probe"
)

// StatusSource is what the router needs of a node's probe: its newest
// status, and word when it changes. *probe.Probe is one.
type StatusSource interface {
	Status() probe.Status
	Watch() (changed <-chan struct{}, stop func())
}

// Upstream is one node the gateway forwards to, with the probe that judges
// it.
type Upstream struct {
	name   string
	client *rpc.Client
	probe  StatusSource
}

// NewUpstream pairs a node's JSON-RPC client with its probe. The gateway
// does not close the client.
func NewUpstream(name string, client *rpc.Client, p StatusSource) *Upstream {
	return &Upstream{name: name, client: client, probe: p}
}

// Name is the upstream's name.
func (u *Upstream) Name() string { return u.name }

// transportError is a failure to get an answer from an upstream at all:
// refused connection, reset, timeout, or an HTTP status other than 200.
// The same call may be tried on another upstream.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// isAnswer reports whether err is the upstream's JSON-RPC error answer,
// which belongs to the client, rather than a failure to answer.
func isAnswer(err error) bool {
	var rpcErr rpc.Error
	return errors.As(err, &rpcErr)
}

// send forwards calls, as a single call when there is one and as one
// batch otherwise. It fills results and per-call errors (JSON-RPC error
// answers, as rpc.Error) by position, and returns a *transportError when
// the upstream delivered no answer at all.
func (u *Upstream) send(ctx context.Context, reqs []*request) (results []json.RawMessage, errs []error, err error) {
	results = make([]json.RawMessage, len(reqs))
	errs = make([]error, len(reqs))
	elems := make([]rpc.BatchElem, len(reqs))
	for i, req := range reqs {
		args, err := req.params()
		if err != nil {
			return nil, nil, err
		}
		elems[i] = rpc.BatchElem{Method: req.Method, Args: args, Result: &results[i]}
	}
	if len(reqs) == 1 {
		err := u.client.CallContext(ctx, &results[0], reqs[0].Method, elems[0].Args...)
		if err != nil && !isAnswer(err) {
			return nil, nil, &transportError{err: err}
		}
		errs[0] = err
		return results, errs, nil
	}
	if err := u.client.BatchCallContext(ctx, elems); err != nil {
		return nil, nil, &transportError{err: err}
	}
	for i, e := range elems {
		errs[i] = e.Error
	}
	return results, errs, nil
}
