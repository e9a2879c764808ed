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

// classify separates an upstream's JSON-RPC error answer, which belongs to
// the client, from a transport failure.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var rpcErr rpc.Error
	if errors.As(err, &rpcErr) {
		return err
	}
	return &transportError{err: err}
}

// call forwards one call. A JSON-RPC error answer comes back as an rpc.Error;
// any other error is a *transportError.
func (u *Upstream) call(ctx context.Context, req *request) (json.RawMessage, error) {
	args, err := req.params()
	if err != nil {
		return nil, err
	}
	var result json.RawMessage
	err = u.client.CallContext(ctx, &result, req.Method, args...)
	return result, classify(err)
}

// batch forwards several calls in one upstream batch, filling results and
// errs by position. Only a failure of the whole batch is returned.
func (u *Upstream) batch(ctx context.Context, reqs []*request, results []json.RawMessage, errs []error) error {
	elems := make([]rpc.BatchElem, len(reqs))
	for i, req := range reqs {
		args, err := req.params()
		if err != nil {
			return err
		}
		elems[i] = rpc.BatchElem{Method: req.Method, Args: args, Result: &results[i]}
	}
	if err := u.client.BatchCallContext(ctx, elems); err != nil {
		return classify(err)
	}
	for i, e := range elems {
		errs[i] = e.Error
	}
	return nil
}
