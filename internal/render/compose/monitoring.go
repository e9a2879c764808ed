package compose

import (
	"fmt"

	"github.com/ethfleet/ethfleet/deploy"
	"github.com/ethfleet/ethfleet/internal/clients"
	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// Images of the monitoring services, pinned like the clients'.
const (
	prometheusImage = "prom/prometheus:v3.7.3"
	grafanaImage    = "grafana/grafana:12.3.0"
)

// gatewayService is the fleet's one gateway: on one host, replicas would
// compete for the published port, so gateway.replicas is not used. It has
// no depends_on: it starts at once, while nodes restore or sync, and
// serves the references' answers when gateway.fallback allows.
func gatewayService(cfg *config.Config) *service {
	return &service{
		Image:       literal(cfg.Compose.Image),
		Command:     []string{"gateway", "--config", configPath + "/gateway.yaml"},
		Environment: environment(gatewaySecrets(cfg)),
		Volumes:     []string{"./config/gateway.yaml:" + configPath + "/gateway.yaml:ro"},
		Ports:       published(cfg.Compose.Publish, render.GatewayPort),
		Healthcheck: ready(render.OpsPort),
		Restart:     "unless-stopped",
		Logging:     rotatedLogs,
	}
}

// addMonitoring adds Prometheus and Grafana to p and returns their files.
func addMonitoring(p *project, cfg *config.Config) ([]render.File, error) {
	publish := cfg.Compose.Publish
	p.Services["prometheus"] = &service{
		Image:   prometheusImage,
		Command: []string{"--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"},
		Volumes: []string{"./prometheus:/etc/prometheus:ro", "prometheus-data:/prometheus"},
		Ports:   published(publish, 9090),
		Restart: "unless-stopped",
		Logging: rotatedLogs,
	}
	p.Services["grafana"] = &service{
		Image: grafanaImage,
		Environment: map[string]string{
			"GF_SECURITY_ADMIN_PASSWORD": required(grafanaPassword),
			"GF_USERS_ALLOW_SIGN_UP":     "false",
		},
		Volumes: []string{
			"./grafana/provisioning:/etc/grafana/provisioning:ro",
			"./grafana/dashboards:/etc/grafana/dashboards:ro",
			"grafana-data:/var/lib/grafana",
		},
		Ports:     published(publish, 3000),
		DependsOn: map[string]dependency{"prometheus": {started}},
		Restart:   "unless-stopped",
		Logging:   rotatedLogs,
	}
	p.Volumes["prometheus-data"] = volume{}
	p.Volumes["grafana-data"] = volume{}

	files := []render.File{
		{Path: "prometheus/alerts.yml", Data: deploy.AlertRules},
		{Path: "grafana/dashboards/ethfleet.json", Data: deploy.Dashboard},
	}
	docs := []struct {
		path string
		doc  any
	}{
		{"prometheus/prometheus.yml", prometheusConfig(cfg)},
		{"grafana/provisioning/datasources/prometheus.yaml", datasources},
		{"grafana/provisioning/dashboards/ethfleet.yaml", dashboards},
	}
	for _, d := range docs {
		b, err := marshal(d.doc)
		if err != nil {
			return nil, err
		}
		files = append(files, render.File{Path: d.path, Data: b})
	}
	return files, nil
}

type promConfig struct {
	Global        promGlobal     `yaml:"global"`
	RuleFiles     []string       `yaml:"rule_files"`
	ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
}

type promGlobal struct {
	ScrapeInterval     string `yaml:"scrape_interval"`
	EvaluationInterval string `yaml:"evaluation_interval"`
}

type scrapeConfig struct {
	JobName       string         `yaml:"job_name"`
	MetricsPath   string         `yaml:"metrics_path,omitempty"`
	StaticConfigs []staticConfig `yaml:"static_configs"`
}

type staticConfig struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels,omitempty"`
}

// prometheusConfig scrapes the gateway, every agent, and every client, in
// one job per client kind (the metrics path depends on it) with the node's
// name as a label. The ethfleet processes get no node label: their metrics
// carry their own.
func prometheusConfig(cfg *config.Config) promConfig {
	var agents []string
	var jobs []scrapeConfig
	addClient := func(node string, c clients.Client, service string) {
		job := fmt.Sprintf("%s-%s", c.Layer, c.Name)
		target := staticConfig{
			Targets: []string{fmt.Sprintf("%s:%d", service, c.Port("metrics"))},
			Labels:  map[string]string{"node": node},
		}
		for i := range jobs {
			if jobs[i].JobName == job {
				jobs[i].StaticConfigs = append(jobs[i].StaticConfigs, target)
				return
			}
		}
		jobs = append(jobs, scrapeConfig{JobName: job, MetricsPath: c.MetricsPath, StaticConfigs: []staticConfig{target}})
	}
	for _, n := range cfg.DeployedNodes() {
		name := render.Name(n.Name)
		agents = append(agents, fmt.Sprintf("%s-agent:%d", name, render.AgentOpsPort))
		ec, _ := clients.Lookup(clients.Execution, n.Execution.Client)
		addClient(n.Name, ec, name+"-execution")
		if n.Consensus != nil {
			cc, _ := clients.Lookup(clients.Consensus, n.Consensus.Client)
			addClient(n.Name, cc, name+"-consensus")
		}
	}
	ethfleet := []scrapeConfig{
		{JobName: "ethfleet-gateway", StaticConfigs: []staticConfig{{Targets: []string{fmt.Sprintf("gateway:%d", render.OpsPort)}}}},
		{JobName: "ethfleet-agent", StaticConfigs: []staticConfig{{Targets: agents}}},
	}
	if render.Mining(cfg) {
		ethfleet = append(ethfleet,
			scrapeConfig{JobName: "ethfleet-pool", StaticConfigs: []staticConfig{{Targets: []string{fmt.Sprintf("%s:%d", poolService, render.PoolPort)}}}},
			scrapeConfig{JobName: "ethfleet-autoscaler", StaticConfigs: []staticConfig{{Targets: []string{fmt.Sprintf("%s:%d", minersService, render.OpsPort)}}}},
		)
	}
	return promConfig{
		Global:        promGlobal{ScrapeInterval: "15s", EvaluationInterval: "15s"},
		RuleFiles:     []string{"alerts.yml"},
		ScrapeConfigs: append(ethfleet, jobs...),
	}
}

// datasources provisions the project's Prometheus into Grafana as the
// default data source, which the dashboard's "datasource" variable picks.
var datasources = map[string]any{
	"apiVersion": 1,
	"datasources": []map[string]any{{
		"name": "Prometheus", "type": "prometheus", "uid": "prometheus", "access": "proxy",
		"url": "http://prometheus:9090", "isDefault": true, "editable": false,
	}},
}

// dashboards provisions the dashboards in /etc/grafana/dashboards.
var dashboards = map[string]any{
	"apiVersion": 1,
	"providers": []map[string]any{{
		"name": "ethfleet", "folder": "ethfleet", "type": "file", "disableDeletion": true,
		"allowUiUpdates": false, "options": map[string]string{"path": "/etc/grafana/dashboards"},
	}},
}
