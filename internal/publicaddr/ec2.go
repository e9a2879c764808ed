package publicaddr

import (
	"context"
	"net/http"
	"net/netip"
)

// EC2 instance metadata (IMDSv2): a PUT for a session token, then GETs
// that carry it. An instance that enforces IMDSv2 answers 401 to a GET
// without a token.
const (
	ec2TokenPath   = "/latest/api/token"
	ec2PublicPath  = "/latest/meta-data/public-ipv4"
	ec2PrivatePath = "/latest/meta-data/local-ipv4"

	ec2TTLHeader   = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
	ec2TokenHeader = "X-Aws-Ec2-Metadata-Token"
	// ec2TokenTTL is the token's lifetime in seconds: it is used at once.
	ec2TokenTTL = "60"
)

// ec2 asks EC2's metadata service for the address at path.
func (d *Discoverer) ec2(ctx context.Context, path string) (netip.Addr, error) {
	base := orDefault(d.EC2URL, DefaultEC2URL)
	token, _, err := d.do(ctx, http.MethodPut, base+ec2TokenPath, http.Header{ec2TTLHeader: {ec2TokenTTL}})
	if err != nil {
		return netip.Addr{}, firstError("EC2", err)
	}
	body, _, err := d.do(ctx, http.MethodGet, base+path, http.Header{ec2TokenHeader: {token}})
	if err != nil {
		return netip.Addr{}, &answerError{cloud: "EC2", err: err}
	}
	ip, err := parseIPv4(base+path, body)
	if err != nil {
		return netip.Addr{}, &answerError{cloud: "EC2", err: err}
	}
	return ip, nil
}
