package publicaddr

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
)

// GCE metadata: every request and every answer carries
// "Metadata-Flavor: Google"; an answer without it is not from GCE.
const (
	gcePublicPath  = "/computeMetadata/v1/instance/network-interfaces/0/access-configs/0/external-ip"
	gcePrivatePath = "/computeMetadata/v1/instance/network-interfaces/0/ip"

	gceFlavorHeader = "Metadata-Flavor"
	gceFlavor       = "Google"
)

// gce asks GCE's metadata service for the address at path.
func (d *Discoverer) gce(ctx context.Context, path string) (netip.Addr, error) {
	url := orDefault(d.GCEURL, DefaultGCEURL) + path
	body, header, err := d.do(ctx, http.MethodGet, url, http.Header{gceFlavorHeader: {gceFlavor}})
	if header != nil && header.Get(gceFlavorHeader) != gceFlavor {
		return netip.Addr{}, &unreachableError{cloud: "GCE",
			err: fmt.Errorf("GET %s: answer without %s: %s", url, gceFlavorHeader, gceFlavor)}
	}
	if err != nil {
		return netip.Addr{}, firstError("GCE", err)
	}
	ip, err := parseIPv4(url, body)
	if err != nil {
		return netip.Addr{}, &answerError{cloud: "GCE", err: err}
	}
	return ip, nil
}
