package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/ethereum/go-ethereum/rpc"
)

// Conn carries the gateway's calls to one upstream. HTTPConn passes bytes
// through; RPCConn goes through go-ethereum's client, for references
// reached over WebSocket.
type Conn interface {
	// send forwards reqs as one message (a batch when there are several)
	// and returns results and JSON-RPC error answers by position, or a
	// *transportError when the upstream delivered no answer at all.
	send(ctx context.Context, reqs []*request) (results []json.RawMessage, errs []error, err error)
}

// HTTPConn posts calls to a node's HTTP endpoint through client, passing
// params and results through as bytes. A URL's user info is sent as basic
// auth, and never appears in errors.
func HTTPConn(endpoint string, client *http.Client) (Conn, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, errors.New("gateway: an HTTP upstream needs an http:// or https:// URL")
	}
	if client == nil {
		client = http.DefaultClient
	}
	rt := client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c := &httpConn{url: u, transport: rt, header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}}
	if u.User != nil {
		pass, _ := u.User.Password()
		r := &http.Request{Header: http.Header{}}
		r.SetBasicAuth(u.User.Username(), pass)
		c.header["Authorization"] = r.Header["Authorization"]
		c.url = &url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	}
	return c, nil
}

// httpConn posts through the client's transport directly: a JSON-RPC post
// is never redirected, and http.Client's bookkeeping cost a tenth of the
// gateway's time per call.
type httpConn struct {
	url       *url.URL
	transport http.RoundTripper
	header    http.Header // the same for every call; never changed
}

// callBuffers hold request bodies while they are sent.
var callBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (c *httpConn) send(ctx context.Context, reqs []*request) ([]json.RawMessage, []error, error) {
	buf := callBuffers.Get().(*bytes.Buffer)
	defer callBuffers.Put(buf)
	buf.Reset()
	b := buf.AvailableBuffer()
	if len(reqs) == 1 {
		b = appendCall(b, 0, reqs[0])
	} else {
		b = append(b, '[')
		for i, r := range reqs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCall(b, i, r)
		}
		b = append(b, ']')
	}
	buf.Write(b)
	body, err := c.post(ctx, buf.Bytes())
	if err != nil {
		return nil, nil, &transportError{err: err}
	}
	answers, err := scanAnswers(body)
	if err != nil {
		return nil, nil, &transportError{err: err}
	}
	results := make([]json.RawMessage, len(reqs))
	errs := make([]error, len(reqs))
	seen := make([]bool, len(reqs))
	for _, a := range answers {
		i, err := strconv.Atoi(string(a.id))
		if err != nil || i < 0 || i >= len(reqs) || seen[i] {
			return nil, nil, &transportError{err: fmt.Errorf("%w: unexpected id %.20s", errMalformedJSON, a.id)}
		}
		seen[i] = true
		if a.error != nil && string(a.error) != "null" {
			errs[i] = decodeUpstreamError(a.error)
			continue
		}
		results[i] = a.result
	}
	for i := range seen {
		if !seen[i] {
			return nil, nil, &transportError{err: fmt.Errorf("%w: no answer to call %d of %d", errMalformedJSON, i+1, len(reqs))}
		}
	}
	return results, errs, nil
}

// post sends one message and returns the answer's body.
func (c *httpConn) post(ctx context.Context, msg []byte) ([]byte, error) {
	req := (&http.Request{
		Method:        http.MethodPost,
		URL:           c.url,
		Host:          c.url.Host,
		Header:        c.header,
		Body:          io.NopCloser(bytes.NewReader(msg)),
		ContentLength: int64(len(msg)),
	}).WithContext(ctx)
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		return nil, err // the transport's errors do not quote the URL
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("upstream answered HTTP %s", resp.Status)
	}
	if n := resp.ContentLength; n >= 0 {
		body := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			return nil, fmt.Errorf("reading the answer: %w", err)
		}
		return body, nil
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	return body, nil
}

// upstreamError is an upstream's JSON-RPC error answer, as go-ethereum's
// rpc.Error and rpc.DataError see it.
type upstreamError struct {
	code    int
	message string
	data    json.RawMessage
}

func (e *upstreamError) Error() string  { return e.message }
func (e *upstreamError) ErrorCode() int { return e.code }

// ErrorData is the error's data as the upstream sent it, or nil.
func (e *upstreamError) ErrorData() any {
	if len(e.data) == 0 || string(e.data) == "null" {
		return nil
	}
	return e.data
}

func decodeUpstreamError(raw []byte) error {
	var e struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return &upstreamError{code: codeInternal, message: "upstream sent a malformed error"}
	}
	return &upstreamError{code: e.Code, message: e.Message, data: e.Data}
}

// RPCConn forwards calls through go-ethereum's rpc.Client, which decodes
// and encodes each value: for WebSocket references. The gateway does not
// close the client.
func RPCConn(client *rpc.Client) Conn { return rpcConn{client} }

type rpcConn struct{ client *rpc.Client }

func (c rpcConn) send(ctx context.Context, reqs []*request) ([]json.RawMessage, []error, error) {
	results := make([]json.RawMessage, len(reqs))
	errs := make([]error, len(reqs))
	elems := make([]rpc.BatchElem, len(reqs))
	for i, req := range reqs {
		args, err := req.params()
		if err != nil {
			return nil, nil, err
		}
		elems[i] = rpc.BatchElem{Method: req.Method, Args: args, Result: &results[i]}
	}
	if len(reqs) == 1 {
		err := c.client.CallContext(ctx, &results[0], reqs[0].Method, elems[0].Args...)
		if err != nil && !isAnswer(err) {
			return nil, nil, &transportError{err: err}
		}
		errs[0] = err
		return results, errs, nil
	}
	if err := c.client.BatchCallContext(ctx, elems); err != nil {
		return nil, nil, &transportError{err: err}
	}
	for i, e := range elems {
		errs[i] = e.Error
	}
	return results, errs, nil
}
