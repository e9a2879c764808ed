package snapshot_test

import (
	"testing"

	"github.com/ethfleet/ethfleet/internal/snapshot"
	"github.com/ethfleet/ethfleet/internal/snapshot/storetest"
)

func TestMemStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) snapshot.Store { return snapshot.NewMemStore() })
}

func TestFileStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) snapshot.Store {
		s, err := snapshot.NewFileStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
