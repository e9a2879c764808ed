package gateway

import "strings"

// DefaultDeny are the method namespaces the gateway refuses unless told
// otherwise: node administration, debugging and tracing, key management,
// block production and consensus, and the transaction pool's contents.
var DefaultDeny = []string{"admin_", "debug_", "personal_", "miner_", "engine_", "txpool_", "clique_", "les_"}

// Policy decides which methods clients may call. Each rule is a method
// name ("eth_call") or, ending in "_", a namespace ("debug_").
type Policy struct {
	// Deny refuses matching methods, even when Allow matches them too.
	Deny []string
	// Allow, when not empty, refuses every method it does not match.
	Allow []string
}

// Allows reports whether clients may call method.
func (p Policy) Allows(method string) bool {
	if matchAny(p.Deny, method) {
		return false
	}
	return len(p.Allow) == 0 || matchAny(p.Allow, method)
}

func matchAny(rules []string, method string) bool {
	for _, r := range rules {
		if r == method || strings.HasSuffix(r, "_") && strings.HasPrefix(method, r) {
			return true
		}
	}
	return false
}
