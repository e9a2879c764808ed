package probe

import "testing"

func TestParseCapabilities(t *testing.T) {
	raw := `{"head":{"number":"0x3e8","hash":"0x00"},
		"state":{"oldestBlock":"0x369","deleteStrategy":{"type":"window","retentionBlocks":"0x80"}},
		"stateproofs":{"oldestBlock":"0x369","deleteStrategy":{"type":"window","retentionBlocks":"0x80"}},
		"tx":{"oldestBlock":"0x64"},"logs":{"disabled":true},
		"receipts":{"oldestBlock":"0x64"},"blocks":{"oldestBlock":"0x64"}}`
	h, err := parseCapabilities([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := History{
		Known:       true,
		State:       Retention{Oldest: 873, Window: 128},
		StateProofs: Retention{Oldest: 873, Window: 128},
		Blocks:      Retention{Oldest: 100},
		Receipts:    Retention{Oldest: 100},
		Logs:        Retention{Disabled: true},
		Tx:          Retention{Oldest: 100},
	}
	if h != want {
		t.Fatalf("got %+v\nwant %+v", h, want)
	}
	if _, err := parseCapabilities([]byte(`{"state":7}`)); err == nil {
		t.Error("a malformed answer parsed")
	}
}

func TestRetentionServes(t *testing.T) {
	tests := []struct {
		name    string
		r       Retention
		n, head uint64
		want    bool
	}{
		{"archive: genesis", Retention{}, 0, 1_000_000, true},
		{"pruned history: below the cutoff", Retention{Oldest: 100}, 99, 1000, false},
		{"pruned history: at the cutoff", Retention{Oldest: 100}, 100, 1000, true},
		{"state window: the oldest kept", Retention{Window: 128}, 873, 1000, true},
		{"state window: one older", Retention{Window: 128}, 872, 1000, false},
		{"state window moves with the head", Retention{Oldest: 873, Window: 128}, 900, 1100, false},
		{"state window on a young chain", Retention{Window: 128}, 0, 50, true},
		{"disabled", Retention{Disabled: true}, 1000, 1000, false},
	}
	for _, tt := range tests {
		if got := tt.r.Serves(tt.n, tt.head); got != tt.want {
			t.Errorf("%s: Serves(%d, head %d) = %v, want %v", tt.name, tt.n, tt.head, got, tt.want)
		}
	}
}
