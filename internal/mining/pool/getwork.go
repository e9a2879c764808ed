package pool

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// handler serves getWork JSON-RPC on POST / (worker "default") and POST
// /WORKER, the figures on GET /stats and the metrics on GET /metrics.
func (p *Pool) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) { p.serveRPC(w, r, "default") })
	mux.HandleFunc("POST /{worker}", func(w http.ResponseWriter, r *http.Request) { p.serveRPC(w, r, r.PathValue("worker")) })
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(p.Stats())
	})
	if p.gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(p.gatherer, promhttp.HandlerOpts{}))
	}
	return mux
}

// serveRPC answers one getWork JSON-RPC request of worker name.
func (p *Pool) serveRPC(w http.ResponseWriter, r *http.Request, name string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxLine+1))
	var resp response
	switch {
	case err != nil:
		resp = answer(nil, nil, errorf(codeInvalidRequest, "reading the request: %v", err))
	case len(body) > maxLine:
		resp = answer(nil, nil, errorf(codeInvalidRequest, "request longer than %d bytes", maxLine))
	case bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")):
		resp = answer(nil, nil, errorf(codeInvalidRequest, "batches are not supported"))
	default:
		req, rerr := parseRequest(body)
		if rerr != nil {
			var id json.RawMessage
			if req != nil {
				id = req.ID
			}
			resp = answer(id, nil, rerr)
			break
		}
		result, err := p.getWorkCall(r.Context(), name, req)
		resp = answer(req.ID, result, err)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// getWorkCall dispatches one getWork method for worker name.
func (p *Pool) getWorkCall(ctx context.Context, name string, req *request) (any, error) {
	wk, rerr := p.worker(name)
	if rerr != nil {
		return nil, rerr
	}
	switch req.Method {
	case "eth_getWork":
		job := p.jobs.current()
		if job == nil {
			return nil, errorf(codeOther, "no work yet: the pool has no work from its node")
		}
		return workResult(wk.issueFor(job)), nil
	case "eth_submitWork":
		return p.ethSubmitWork(ctx, wk, req.Params, func(header [32]byte) issue {
			if is, ok := wk.issuedFor(header); ok {
				return is
			}
			return p.fallbackIssue(wk, header)
		})
	case "eth_submitHashrate":
		return p.ethSubmitHashrate(wk, req.Params)
	case "eth_submitLogin":
		return true, nil
	}
	return nil, errorf(codeNoMethod, "method %.64q not found: this pool serves eth_getWork, eth_submitWork and eth_submitHashrate", req.Method)
}

// workResult is eth_getWork's answer for an issue: header, seed, share
// target and block number.
func workResult(is issue) []string {
	return []string{hexHash(is.job.Header), hexHash(is.job.Seed), fmt.Sprintf("0x%064x", is.target), fmt.Sprintf("0x%x", is.job.Height)}
}

// fallbackIssue judges a share for a header its miner was not given (or no
// longer remembered) at the worker's current difficulty; a header the pool
// does not know is left to the job store to call stale or unknown.
func (p *Pool) fallbackIssue(w *worker, header [32]byte) issue {
	job := p.jobs.known(header)
	if job == nil {
		job = &Job{Header: header}
	}
	return newIssue(job, targetFor(w.currentDifficulty()))
}

// ethSubmitWork takes eth_submitWork [nonce, header, mix]; issued finds
// the work the miner was given for the header.
func (p *Pool) ethSubmitWork(ctx context.Context, w *worker, params json.RawMessage, issued func([32]byte) issue) (any, error) {
	ps, rerr := stringParams(params, 3)
	if rerr != nil {
		return nil, rerr
	}
	nonce, ok1 := parseNonce(ps[0])
	header, ok2 := parseHash(ps[1])
	mix, ok3 := parseHash(ps[2])
	if !ok1 || !ok2 || !ok3 {
		p.record(w, p.now(), Invalid, 0)
		return nil, invalid(codeInvalidParams, "want [nonce (16 hex digits), header hash, mix digest (32 bytes of hex each)]")
	}
	if err := p.submit(ctx, share{worker: w, issue: issued(header), nonce: nonce, mix: &mix}); err != nil {
		return nil, err
	}
	return true, nil
}

// ethSubmitHashrate takes eth_submitHashrate [rate, id]: the rate the miner
// claims, shown beside the verified one.
func (p *Pool) ethSubmitHashrate(w *worker, params json.RawMessage) (any, error) {
	ps, rerr := stringParams(params, 1)
	if rerr != nil {
		return nil, rerr
	}
	rate, ok := parseQuantity(ps[0])
	if !ok {
		return nil, errorf(codeInvalidParams, "invalid params: rate %.70q is not a 0x quantity", ps[0])
	}
	id := ""
	if len(ps) > 1 {
		id = ps[1]
	}
	if len(id) > 80 {
		id = id[:80]
	}
	f, _ := rate.Float64()
	w.report(id, f, p.now())
	return true, nil
}
