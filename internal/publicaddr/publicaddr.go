package publicaddr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"
)

// Default metadata service base URLs and request timeout.
const (
	DefaultEC2URL  = "http://169.254.169.254"
	DefaultGCEURL  = "http://metadata.google.internal"
	DefaultTimeout = time.Second
)

// Source says where an address came from.
type Source string

// The sources, in the order they are tried.
const (
	Configured Source = "config"
	EC2        Source = "ec2"
	GCE        Source = "gce"
)

// Address is an address and where it came from.
type Address struct {
	IP     netip.Addr
	Source Source
}

// ErrNoAddress is matched (errors.Is) by the *NotFoundError that Public and
// Private return when no source has the address.
var ErrNoAddress = errors.New("no address")

// Discoverer finds the machine's addresses. Its zero value asks the real
// metadata services; set EC2URL and GCEURL to point it elsewhere.
type Discoverer struct {
	// PublicIP and PrivateIP, when valid, are configured addresses: they
	// are returned as they are and no metadata service is asked for them.
	PublicIP, PrivateIP netip.Addr
	// EC2URL and GCEURL are the metadata services' base URLs; empty means
	// DefaultEC2URL and DefaultGCEURL.
	EC2URL, GCEURL string
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Client makes the requests; nil means a client that uses no proxy
	// and follows no redirect (metadata must come from the service itself).
	Client *http.Client
}

// defaultClient is the Client of a Discoverer that has none. Its transport
// has no proxy: HTTP_PROXY must not send metadata requests elsewhere.
var defaultClient = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// Public returns the machine's public IPv4 address: the configured one,
// else EC2's public-ipv4, else GCE's external IP of the first interface.
func (d *Discoverer) Public(ctx context.Context) (Address, error) {
	return d.find(ctx, "public", d.PublicIP, ec2PublicPath, gcePublicPath)
}

// Private returns the machine's private IPv4 address: the configured one,
// else EC2's local-ipv4, else GCE's IP of the first interface.
func (d *Discoverer) Private(ctx context.Context) (Address, error) {
	return d.find(ctx, "private", d.PrivateIP, ec2PrivatePath, gcePrivatePath)
}

// find tries the configured address, then EC2, then GCE.
func (d *Discoverer) find(ctx context.Context, kind string, configured netip.Addr, ec2Path, gcePath string) (Address, error) {
	if configured.IsValid() {
		return Address{IP: configured, Source: Configured}, nil
	}
	ip, ec2Err := d.ec2(ctx, ec2Path)
	if ec2Err == nil {
		return Address{IP: ip, Source: EC2}, nil
	}
	if err := ctx.Err(); err != nil {
		return Address{}, fmt.Errorf("%s address: %w", kind, err)
	}
	ip, gceErr := d.gce(ctx, gcePath)
	if gceErr == nil {
		return Address{IP: ip, Source: GCE}, nil
	}
	if err := ctx.Err(); err != nil {
		return Address{}, fmt.Errorf("%s address: %w", kind, err)
	}
	return Address{}, &NotFoundError{Kind: kind, EC2: ec2Err, GCE: gceErr}
}

// NotFoundError says why no source had an address.
type NotFoundError struct {
	// Kind is "public" or "private".
	Kind string
	// EC2 and GCE are what each metadata service said.
	EC2, GCE error
}

// Error is one line: "no public address: not on EC2 (…), not on GCE (…),
// none configured".
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no %s address: %v, %v, none configured", e.Kind, e.EC2, e.GCE)
}

// Is makes errors.Is(err, ErrNoAddress) hold.
func (e *NotFoundError) Is(target error) bool { return target == ErrNoAddress }

// Unwrap returns the sources' errors.
func (e *NotFoundError) Unwrap() []error { return []error{e.EC2, e.GCE} }

func (d *Discoverer) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout
}

func (d *Discoverer) client() *http.Client {
	if d.Client != nil {
		return d.Client
	}
	return defaultClient
}

func orDefault(url, def string) string {
	if url == "" {
		return def
	}
	return url
}
