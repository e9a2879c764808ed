package gateway

import "testing"

func TestPolicy(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		method string
		want   bool
	}{
		{"default allows eth", Policy{Deny: DefaultDeny}, "eth_call", true},
		{"default denies admin", Policy{Deny: DefaultDeny}, "admin_nodeInfo", false},
		{"default denies engine", Policy{Deny: DefaultDeny}, "engine_forkchoiceUpdatedV3", false},
		{"default denies txpool", Policy{Deny: DefaultDeny}, "txpool_content", false},
		{"prefix needs the underscore", Policy{Deny: []string{"debug_"}}, "debugger", true},
		{"exact name", Policy{Deny: []string{"eth_sendTransaction"}}, "eth_sendTransaction", false},
		{"exact name is not a prefix", Policy{Deny: []string{"eth_call"}}, "eth_callMany", true},
		{"allow list admits", Policy{Allow: []string{"eth_", "net_version"}}, "net_version", true},
		{"allow list refuses the rest", Policy{Allow: []string{"eth_", "net_version"}}, "net_peerCount", false},
		{"deny beats allow", Policy{Deny: []string{"eth_sign"}, Allow: []string{"eth_"}}, "eth_sign", false},
		{"empty policy allows all", Policy{}, "admin_peers", true},
	}
	for _, tt := range tests {
		if got := tt.policy.Allows(tt.method); got != tt.want {
			t.Errorf("%s: Allows(%q) = %v, want %v", tt.name, tt.method, got, tt.want)
		}
	}
}
