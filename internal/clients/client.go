package clients

import (
	"slices"
	"strings"
)

// Layer says which half of a node a client is.
type Layer string

const (
	Execution Layer = "execution"
	Consensus Layer = "consensus"
)

// Port is one port a client listens on.
type Port struct {
	Name     string // p2p, p2p-udp, rpc, ws, engine, beacon, metrics
	Number   int
	Protocol string // tcp or udp
	// Public ports are the peer-to-peer ones, open to the internet; the
	// others are reached only from inside the fleet.
	Public bool
}

// Client is one client of the catalog.
type Client struct {
	Name  string
	Layer Layer
	// Image is the pinned container image used when a node names none.
	Image string
	// Entrypoint is that image's ENTRYPOINT, for a container that starts
	// the client through another command first (the Kubernetes
	// snapshotter's `ethfleet hold run`). Execution clients only.
	Entrypoint []string
	// Networks the client can run.
	Networks []string
	Ports    []Port
	// MetricsPath is where the metrics port serves Prometheus metrics,
	// when not at /metrics ("").
	MetricsPath string
	// args builds the command line after the image's entrypoint.
	args func(Options) []string
}

// Options are what a client's command line depends on.
type Options struct {
	Network string
	// DataDir is where the client keeps its state, inside the container.
	DataDir string
	// JWTFile is the engine API secret shared by the pair.
	JWTFile string
	// EngineURL is the execution client's engine API, for a consensus
	// client (http://HOST:8551).
	EngineURL string
	// CheckpointSyncURL, for a consensus client, is where it fetches a
	// finalized state to start from.
	CheckpointSyncURL string
	// Extra flags from the fleet description, appended last.
	Extra []string
}

// Args returns the client's command line for o: the arguments after the
// image's entrypoint.
func (c Client) Args(o Options) []string {
	return append(c.args(o), o.Extra...)
}

// Port returns the client's port called name, or 0.
func (c Client) Port(name string) int {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.Number
		}
	}
	return 0
}

// Supports reports whether the client runs network.
func (c Client) Supports(network string) bool { return slices.Contains(c.Networks, network) }

// Lookup returns the client of layer called name.
func Lookup(layer Layer, name string) (Client, bool) {
	i := slices.IndexFunc(catalog, func(c Client) bool { return c.Layer == layer && c.Name == name })
	if i < 0 {
		return Client{}, false
	}
	return catalog[i], true
}

// Names lists the clients of layer, in catalog order.
func Names(layer Layer) []string {
	var names []string
	for _, c := range catalog {
		if c.Layer == layer {
			names = append(names, c.Name)
		}
	}
	return names
}

// Pinned reports whether image names an exact version: a tag other than
// "latest" or a digest.
func Pinned(image string) bool {
	if _, digest, ok := strings.Cut(image, "@"); ok {
		return strings.HasPrefix(digest, "sha256:")
	}
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	if colon <= slash {
		return false
	}
	tag := image[colon+1:]
	return tag != "" && tag != "latest" && tag != "stable" && tag != "develop"
}

// repository is image without its tag and digest.
func repository(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if colon := strings.LastIndex(image, ":"); colon > strings.LastIndex(image, "/") {
		image = image[:colon]
	}
	return image
}

// EntrypointOf returns the entrypoint of image, which runs the client: the
// catalog's, known for an image of the catalog image's repository only.
func (c Client) EntrypointOf(image string) ([]string, bool) {
	if len(c.Entrypoint) == 0 || repository(image) != repository(c.Image) {
		return nil, false
	}
	return c.Entrypoint, true
}
