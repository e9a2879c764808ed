package clients

import "slices"

// Network is a chain ethfleet can deploy nodes for.
type Network struct {
	Name    string
	ChainID uint64
	// ProofOfStake networks need a consensus client beside the execution
	// client; proof-of-work networks (Ethereum Classic) must not have one.
	ProofOfStake bool
	// MinVolumeGiB is the smallest data volume that holds a full (pruned)
	// node of the network with room to grow for a few months; a smaller
	// volume is refused. DefaultVolumeGiB is what a node gets by default.
	MinVolumeGiB     int
	DefaultVolumeGiB int
	// CheckpointSyncURL is a public beacon node serving finalized states,
	// used by default for checkpoint sync.
	CheckpointSyncURL string
}

// networks lists the chains nodes can be deployed for. The volume sizes
// follow the clients' published disk requirements for a pruned full node
// in 2026 (mainnet: about 1.3 TB execution + 0.2 TB consensus) with
// headroom; a testnet's are far smaller.
var networks = []Network{
	{Name: "mainnet", ChainID: 1, ProofOfStake: true, MinVolumeGiB: 2000, DefaultVolumeGiB: 2500, CheckpointSyncURL: "https://mainnet.checkpoint.sigp.io"},
	{Name: "sepolia", ChainID: 11155111, ProofOfStake: true, MinVolumeGiB: 1000, DefaultVolumeGiB: 1200, CheckpointSyncURL: "https://sepolia.checkpoint.sigp.io"},
	{Name: "hoodi", ChainID: 560048, ProofOfStake: true, MinVolumeGiB: 300, DefaultVolumeGiB: 400, CheckpointSyncURL: "https://hoodi.checkpoint.sigp.io"},
	{Name: "classic", ChainID: 61, MinVolumeGiB: 600, DefaultVolumeGiB: 800},
	{Name: "mordor", ChainID: 63, MinVolumeGiB: 100, DefaultVolumeGiB: 150},
}

// LookupNetwork returns the network called name.
func LookupNetwork(name string) (Network, bool) {
	i := slices.IndexFunc(networks, func(n Network) bool { return n.Name == name })
	if i < 0 {
		return Network{}, false
	}
	return networks[i], true
}

// NetworkNames lists the deployable networks, in catalog order.
func NetworkNames() []string {
	names := make([]string, len(networks))
	for i, n := range networks {
		names[i] = n.Name
	}
	return names
}
