package compose

import (
	"strings"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// restores reports whether some node starts from the snapshot store.
func restores(cfg *config.Config) bool {
	for _, n := range cfg.DeployedNodes() {
		if n.Snapshot.Source == config.SnapshotStore {
			return true
		}
	}
	return false
}

// restoreService fills node n's empty execution data directory from the
// latest snapshot in the store, then exits; on a later start it finds the
// directory in use and exits at once. It runs as root to write into the
// root-owned volume.
func restoreService(cfg *config.Config, n config.Node, volume string) *service {
	store := cfg.Snapshots.Store.String()
	s := &service{
		Image: literal(cfg.Compose.Image),
		User:  "0:0",
		Command: []string{
			"snapshot", "restore", "--boot", "--store", interpolated(store),
			"--datadir", render.DataDir + "/execution",
			"--network", literal(cfg.Network.Name), "--client", literal(n.Execution.Client),
		},
		Volumes: []string{volume + ":" + render.DataDir},
		Logging: rotatedLogs,
	}
	if path, ok := strings.CutPrefix(store, "file://"); ok {
		// A store on this host is mounted where its URL points.
		s.Volumes = append(s.Volumes, interpolated(path)+":"+interpolated(path)+":ro")
	}
	if strings.HasPrefix(store, "s3://") {
		s.Environment = map[string]string{}
		for _, n := range awsCredentials {
			s.Environment[n] = "${" + n + ":-}"
		}
	}
	return s
}
