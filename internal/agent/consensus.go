package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// ConsensusStatus is a consensus client's answer to the Beacon API's
// /eth/v1/node/syncing.
type ConsensusStatus struct {
	Syncing      bool   `json:"syncing"`
	Optimistic   bool   `json:"optimistic"`
	ELOffline    bool   `json:"elOffline"`
	HeadSlot     uint64 `json:"headSlot"`
	SyncDistance uint64 `json:"syncDistance"`
	// Err says why the client could not be asked.
	Err string `json:"error,omitempty"`
}

// beaconSyncing is /eth/v1/node/syncing's body; the Beacon API encodes
// numbers as decimal strings.
type beaconSyncing struct {
	Data struct {
		HeadSlot     string `json:"head_slot"`
		SyncDistance string `json:"sync_distance"`
		IsSyncing    bool   `json:"is_syncing"`
		IsOptimistic bool   `json:"is_optimistic"`
		ELOffline    bool   `json:"el_offline"`
	} `json:"data"`
}

// AskConsensus asks the consensus client at baseURL whether it syncs.
// Failures come back in the status's Err, so that they reach readiness.
func AskConsensus(ctx context.Context, client *http.Client, baseURL string, timeout time.Duration) ConsensusStatus {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s, err := askConsensus(ctx, client, baseURL)
	if err != nil {
		return ConsensusStatus{Err: err.Error()}
	}
	return s
}

func askConsensus(ctx context.Context, client *http.Client, baseURL string) (ConsensusStatus, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/eth/v1/node/syncing", nil)
	if err != nil {
		return ConsensusStatus{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return ConsensusStatus{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ConsensusStatus{}, fmt.Errorf("/eth/v1/node/syncing: HTTP %d", resp.StatusCode)
	}
	var body beaconSyncing
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<16)).Decode(&body); err != nil {
		return ConsensusStatus{}, fmt.Errorf("/eth/v1/node/syncing: %w", err)
	}
	d := body.Data
	s := ConsensusStatus{Syncing: d.IsSyncing, Optimistic: d.IsOptimistic, ELOffline: d.ELOffline}
	if s.HeadSlot, err = strconv.ParseUint(d.HeadSlot, 10, 64); err != nil {
		return ConsensusStatus{}, fmt.Errorf("/eth/v1/node/syncing: head_slot %q: %w", d.HeadSlot, err)
	}
	if s.SyncDistance, err = strconv.ParseUint(d.SyncDistance, 10, 64); err != nil {
		return ConsensusStatus{}, fmt.Errorf("/eth/v1/node/syncing: sync_distance %q: %w", d.SyncDistance, err)
	}
	return s, nil
}
