package publicaddr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
)

// maxBody bounds what is read of a metadata answer: an address or a token.
const maxBody = 4096

// maxAddrLen is the longest text form of an IP address; a longer answer
// is not quoted in errors.
const maxAddrLen = len("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")

// unreachableError is a metadata service that did not answer at all: the
// machine is most likely not on that cloud.
type unreachableError struct {
	cloud string
	err   error
}

func (e *unreachableError) Error() string { return fmt.Sprintf("not on %s (%v)", e.cloud, e.err) }
func (e *unreachableError) Unwrap() error { return e.err }

// answerError is a metadata service that answered, but not with an
// address.
type answerError struct {
	cloud string
	err   error
}

func (e *answerError) Error() string { return fmt.Sprintf("%s gave none (%v)", e.cloud, e.err) }
func (e *answerError) Unwrap() error { return e.err }

// firstError describes the failure of the first request to a cloud's
// metadata service: any status means the service is there, anything else
// that it is not.
func firstError(cloud string, err error) error {
	var status *statusError
	if errors.As(err, &status) {
		return &answerError{cloud: cloud, err: err}
	}
	return &unreachableError{cloud: cloud, err: err}
}

// statusError is a metadata answer with a status other than 200.
type statusError struct {
	method, url string
	status      string
}

func (e *statusError) Error() string { return fmt.Sprintf("%s %s: %s", e.method, e.url, e.status) }

// do sends one request under the Discoverer's timeout and returns the
// body of a 200 answer with the answer's headers.
func (d *Discoverer) do(ctx context.Context, method, url string, header http.Header) (string, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return "", nil, err
	}
	req.Header = header
	resp, err := d.client().Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", nil, fmt.Errorf("%s %s: reading the answer: %w", method, url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", resp.Header, &statusError{method: method, url: url, status: resp.Status}
	}
	return strings.TrimSpace(string(body)), resp.Header, nil
}

// parseIPv4 reads an IPv4 address from a metadata answer.
func parseIPv4(url, body string) (netip.Addr, error) {
	if body == "" {
		return netip.Addr{}, fmt.Errorf("GET %s: empty answer", url)
	}
	if len(body) > maxAddrLen {
		return netip.Addr{}, fmt.Errorf("GET %s: not an address (%d bytes)", url, len(body))
	}
	ip, err := netip.ParseAddr(body)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("GET %s: %w", url, err)
	}
	ip = ip.Unmap()
	if !ip.Is4() {
		return netip.Addr{}, fmt.Errorf("GET %s: %s is not an IPv4 address", url, ip)
	}
	return ip, nil
}
