package compose

import (
	"fmt"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Services of the mining cluster.
const (
	poolService   = "pool"
	minersService = "miners"
)

// addMining adds the mining cluster of mining.deploy to p and returns its
// files: the pool, fed work by the first deployed node (or mining.node),
// and the autoscaler, which runs the miners as its own child processes
// (provider local) on one shared DAG volume. On one server a miner hashes
// on one core unless mining.miner.threads says otherwise, so
// mining.autoscale.maxMiners bounds the cores mining takes from the nodes.
func addMining(p *project, cfg *config.Config) ([]render.File, error) {
	if !render.Mining(cfg) {
		return nil, nil
	}
	if err := render.CheckMining(cfg); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	node := "" // CheckMining has made sure mining.node is set then
	if nodes := cfg.DeployedNodes(); len(nodes) > 0 {
		node = at(nodes[0]).RPC
	}
	pool, err := render.PoolConfig(cfg, node)
	if err != nil {
		return nil, err
	}
	miner, err := render.MinerConfig(cfg, poolService, 1)
	if err != nil {
		return nil, err
	}
	scale, err := render.AutoscaleConfig(cfg, render.Scaler{
		Provider: "local", PoolHost: poolService, Ops: fmt.Sprintf("0.0.0.0:%d", render.OpsPort),
	})
	if err != nil {
		return nil, err
	}
	ports := published(cfg.Compose.Publish, render.PoolPort)
	if render.Stratum(cfg) {
		ports = append(ports, published(cfg.Compose.Publish, render.StratumPort)...)
	}
	p.Services[poolService] = &service{
		Image:       literal(cfg.Compose.Image),
		Command:     []string{"pool", "--config", configPath + "/pool.yaml"},
		Environment: environment(refs(cfg.Mining.Node)),
		Volumes:     []string{"./config/pool.yaml:" + configPath + "/pool.yaml:ro"},
		Ports:       ports,
		Healthcheck: healthy(render.PoolPort, "/stats"),
		Restart:     "unless-stopped",
		Logging:     rotatedLogs,
	}
	p.Volumes["dag"] = volume{}
	mine := fmt.Sprintf("%s mine --config %s/miner.yaml --worker miner-{index}", binary, configPath)
	p.Services[minersService] = &service{
		Image:   literal(cfg.Compose.Image),
		Command: []string{"autoscale", "--config", configPath + "/autoscale.yaml", "--miner-command", mine},
		Volumes: []string{
			"./config/autoscale.yaml:" + configPath + "/autoscale.yaml:ro",
			"./config/miner.yaml:" + configPath + "/miner.yaml:ro",
			"dag:" + render.DAGDir,
		},
		DependsOn:   map[string]dependency{poolService: {started}},
		Healthcheck: ready(render.OpsPort),
		Restart:     "unless-stopped",
		Logging:     rotatedLogs,
	}
	return []render.File{
		{Path: "config/pool.yaml", Data: pool},
		{Path: "config/miner.yaml", Data: miner},
		{Path: "config/autoscale.yaml", Data: scale},
	}, nil
}
