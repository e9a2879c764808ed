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
	reachStore(cfg, s, ":ro")
	return s
}

// reachStore gives service s the snapshot store: a store on this host is
// mounted where its URL points (with mode, ":ro" or ""), an S3 store gets
// the AWS credentials from .env, which may leave them empty for an
// instance role.
func reachStore(cfg *config.Config, s *service, mode string) {
	store := cfg.Snapshots.Store.String()
	if path, ok := strings.CutPrefix(store, "file://"); ok {
		s.Volumes = append(s.Volumes, interpolated(path)+":"+interpolated(path)+mode)
	}
	if strings.HasPrefix(store, "s3://") {
		if s.Environment == nil {
			s.Environment = map[string]string{}
		}
		for _, n := range awsCredentials {
			s.Environment[n] = "${" + n + ":-}"
		}
	}
}
