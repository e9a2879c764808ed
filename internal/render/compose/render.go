package compose

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Where the ethfleet containers find their fleet description, and the
// binary their health checks run.
const (
	configPath = "/etc/ethfleet"
	binary     = "/usr/local/bin/ethfleet"
)

// Render renders cfg as a compose project, with a fresh engine API secret
// for each proof-of-stake node. The secrets are Once files: rendering over
// an existing project keeps the secrets its clients already share.
func Render(cfg *config.Config) ([]render.File, error) { return renderWith(cfg, rand.Reader) }

// renderWith renders cfg, reading the engine API secrets from random.
func renderWith(cfg *config.Config, random io.Reader) ([]render.File, error) {
	p := &project{Name: render.Name(cfg.Compose.Project), Services: map[string]*service{}, Volumes: map[string]volume{}}
	var files []render.File
	for i, n := range cfg.DeployedNodes() {
		nf, err := addNode(p, cfg, i, n, random)
		if err != nil {
			return nil, err
		}
		files = append(files, nf...)
	}
	gw, err := render.GatewayConfig(cfg, at)
	if err != nil {
		return nil, err
	}
	p.Services["gateway"] = gatewayService(cfg)
	mf, err := addMonitoring(p, cfg)
	if err != nil {
		return nil, err
	}
	mining, err := addMining(p, cfg)
	if err != nil {
		return nil, err
	}
	compose, err := marshal(p)
	if err != nil {
		return nil, err
	}
	files = append([]render.File{
		{Path: "compose.yaml", Data: compose},
		{Path: ".env.example", Data: envExample(cfg)},
		{Path: "config/gateway.yaml", Data: gw},
	}, files...)
	files = append(files, mf...)
	return append(files, mining...), nil
}

// at is where a node's clients are reached inside the project: at their
// service names.
func at(n config.Node) render.NodeURLs {
	name := render.Name(n.Name)
	return render.Locate(n, name+"-execution", name+"-consensus")
}

// addNode adds the services and volume of the i-th deployed node n to p
// and returns its files: the agent's fleet description and the engine API
// secret.
func addNode(p *project, cfg *config.Config, i int, n config.Node, random io.Reader) ([]render.File, error) {
	name := render.Name(n.Name)
	execution, consensus, agent := name+"-execution", name+"-consensus", name+"-agent"
	data := name + "-data"
	p.Volumes[data] = volume{}
	mounts := []string{data + ":" + render.DataDir}
	var files []render.File
	if n.Consensus != nil {
		secret := make([]byte, 32)
		if _, err := io.ReadFull(random, secret); err != nil {
			return nil, fmt.Errorf("compose: engine API secret of %s: %w", n.Name, err)
		}
		jwt := "jwt/" + name + ".hex"
		files = append(files, render.File{Path: jwt, Mode: 0o600, Data: []byte(hex.EncodeToString(secret)), Once: true})
		mounts = append(mounts, "./"+jwt+":"+render.JWTFile+":ro")
	}

	ec, _ := clients.Lookup(clients.Execution, n.Execution.Client)
	execArgs, consArgs := render.Args(cfg, n, execution)
	p.Services[execution] = clientService(n.Execution.Image, ec, i, execArgs, mounts)
	if n.Snapshot.Source == config.SnapshotStore {
		p.Services[name+"-restore"] = restoreService(cfg, n, data)
		p.Services[execution].DependsOn = map[string]dependency{name + "-restore": {completed}}
	}
	agentDeps := map[string]dependency{execution: {started}}
	if cn := n.Consensus; cn != nil {
		cc, _ := clients.Lookup(clients.Consensus, cn.Client)
		p.Services[consensus] = clientService(cn.Image, cc, i, consArgs, mounts)
		p.Services[consensus].DependsOn = map[string]dependency{execution: {started}}
		agentDeps[consensus] = dependency{started}
	}

	var opts render.AgentOptions
	file := "config/agent-" + name + ".yaml"
	// The data volume, read-only, is there for the free-space metric.
	volumes := []string{"./" + file + ":" + configPath + "/agent.yaml:ro", data + ":" + render.DataDir + ":ro"}
	user, secrets := "", agentSecrets(cfg)
	snapshotter := render.Snapshotter(cfg, n.Name)
	if snapshotter {
		// The snapshotter's agent stops and starts its clients through
		// the Docker API, and reads (as root, as they write) and indexes
		// their data: root, the socket, the volume writable.
		for _, c := range []string{consensus, execution} {
			if s := p.Services[c]; s != nil {
				s.ContainerName = cfg.Compose.Project + "-" + c
				opts.Containers = append(opts.Containers, s.ContainerName)
			}
		}
		user = "0:0"
		volumes = []string{"./" + file + ":" + configPath + "/agent.yaml:ro", data + ":" + render.DataDir, render.DockerSocket + ":" + render.DockerSocket}
		secrets = refs(append(referenceRPCs(cfg), cfg.Snapshots.Store)...)
	}
	doc, err := render.AgentConfig(cfg, n.Name, at, opts)
	if err != nil {
		return nil, err
	}
	files = append(files, render.File{Path: file, Data: doc})
	p.Services[agent] = &service{
		Image:       literal(cfg.Compose.Image),
		User:        user,
		Command:     []string{"agent", "--config", configPath + "/agent.yaml"},
		Environment: environment(secrets),
		Volumes:     volumes,
		DependsOn:   agentDeps,
		Healthcheck: ready(render.AgentOpsPort),
		Restart:     "unless-stopped",
		Logging:     rotatedLogs,
	}
	if snapshotter {
		reachStore(cfg, p.Services[agent], "")
	}
	return files, nil
}

// clientService runs client c of the i-th node. It runs as root: the images
// disagree on their user (besu, teku, nimbus and erigon are uid 1000, the
// others root), a fresh named volume belongs to root, and the JWT file is
// readable by its owner on the host only.
func clientService(image string, c clients.Client, i int, args, mounts []string) *service {
	p2p := c.Port("p2p")
	var cmd []string
	for _, a := range listenOn(args, p2p, p2p+i) {
		cmd = append(cmd, literal(a))
	}
	return &service{
		Image:           literal(image),
		User:            "0:0",
		Command:         cmd,
		Volumes:         mounts,
		Ports:           peerPorts(c, i),
		Restart:         "unless-stopped",
		StopGracePeriod: "5m",
		Logging:         rotatedLogs,
	}
}

// ready is the health check of an ethfleet process serving /ready on port:
// the image has no curl, so ethfleet probes itself.
func ready(port int) *healthcheck { return healthy(port, "/ready") }

// healthy checks that GET path on port answers 2xx.
func healthy(port int, path string) *healthcheck {
	return &healthcheck{
		Test:     []string{"CMD", binary, "probe", "http://127.0.0.1:" + strconv.Itoa(port) + path},
		Interval: "15s", Timeout: "5s", Retries: 3, StartPeriod: "1m",
	}
}

// marshal writes v as YAML indented by two spaces.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	return b.Bytes(), nil
}
