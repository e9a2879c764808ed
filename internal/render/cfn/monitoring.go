package cfn

import (
	"encoding/json"
	"fmt"

	"github.com/ethfleet/ethfleet/internal/config"
)

// metricsNamespace is where the agents' EMF lines put their metrics. The
// agents write them to standard output; docker's awslogs driver sends
// each line with PutLogEvents, and CloudWatch Logs extracts the metrics
// of every event in embedded metric format (the x-amzn-logs-format header
// is optional), so the alarms below watch metrics that are published.
const metricsNamespace = "ethfleet"

// monitoring adds per node alarms on readiness, lag and free disk space,
// one on the gateways' healthy count, and a dashboard.
func (b *builder) monitoring() {
	maxLag := float64(config.DefaultAgentMaxLag)
	if l := b.cfg.Agent.MaxLag; l != nil {
		maxLag = float64(*l)
	}
	for _, dn := range b.nodes {
		node := []Dimension{{Name: "Node", Value: dn.node.Name}}
		// No data means the agent, or the host, is gone: not ready.
		b.alarm("Node"+dn.id+"NotReadyAlarm", Alarm{
			AlarmDescription: dn.node.Name + " is not ready (or its agent reports nothing)",
			MetricName:       "Ready", Dimensions: node, Statistic: "Maximum", Period: 60, EvaluationPeriods: 5,
			Threshold: 1, ComparisonOperator: "LessThanThreshold", TreatMissingData: "breaching",
		})
		b.alarm("Node"+dn.id+"LagAlarm", Alarm{
			AlarmDescription: fmt.Sprintf("%s trails the fleet's head by more than %g blocks", dn.node.Name, maxLag),
			MetricName:       "FleetLagBlocks", Dimensions: node, Statistic: "Minimum", Period: 60, EvaluationPeriods: 5,
			Threshold: maxLag, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching",
		})
		b.alarm("Node"+dn.id+"DiskAlarm", Alarm{
			AlarmDescription: dn.node.Name + "'s data volume has less than 15% free",
			MetricName:       "DataDirFreePercent", Dimensions: node, Statistic: "Minimum", Period: 300, EvaluationPeriods: 2,
			Threshold: 15, ComparisonOperator: "LessThanThreshold", TreatMissingData: "notBreaching",
		})
	}
	b.alarm("GatewayHealthyAlarm", Alarm{
		AlarmDescription: "No gateway is ready: the fleet's RPC endpoint answers nothing",
		Namespace:        "AWS/ApplicationELB", MetricName: "HealthyHostCount",
		Dimensions: []Dimension{
			{Name: "TargetGroup", Value: GetAtt(idTargetGroup, "TargetGroupFullName")},
			{Name: "LoadBalancer", Value: GetAtt(idLoadBalancer, "LoadBalancerFullName")},
		},
		Statistic: "Minimum", Period: 60, EvaluationPeriods: 3,
		Threshold: 1, ComparisonOperator: "LessThanThreshold", TreatMissingData: "breaching",
	})
	b.t.add("Dashboard", Resource{Type: "AWS::CloudWatch::Dashboard", Properties: Dashboard{
		DashboardBody: Sub(subEscape(b.dashboard(), "AWS::Region", idLoadBalancer+".LoadBalancerFullName")),
	}})
}

// alarm adds an alarm, in the agents' namespace unless a says otherwise,
// notifying aws.alarmTopicArn when it is set.
func (b *builder) alarm(id string, a Alarm) {
	if a.Namespace == "" {
		a.Namespace = metricsNamespace
	}
	if topic := b.cfg.AWS.AlarmTopicARN; topic != "" {
		a.AlarmActions, a.OKActions = []string{topic}, []string{topic}
	}
	b.t.add(id, Resource{Type: "AWS::CloudWatch::Alarm", Properties: a})
}

// widget is one graph of the dashboard.
type widget struct {
	Type       string         `json:"type"`
	X          int            `json:"x"`
	Y          int            `json:"y"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Properties widgetSettings `json:"properties"`
}

type widgetSettings struct {
	Title   string  `json:"title"`
	Region  string  `json:"region"`
	Metrics [][]any `json:"metrics"`
	Stat    string  `json:"stat"`
	Period  int     `json:"period"`
	View    string  `json:"view"`
}

// dashboard is the dashboard's body, to be escaped for Fn::Sub but for the
// region and the load balancer's name:
// per node readiness, lag, peers, head and free disk, the lag against each
// reference, and the gateways' traffic.
func (b *builder) dashboard() string {
	var widgets []widget
	graph := func(title, stat string, metrics [][]any) {
		i := len(widgets)
		widgets = append(widgets, widget{Type: "metric", X: (i % 2) * 12, Y: (i / 2) * 6, Width: 12, Height: 6,
			Properties: widgetSettings{Title: title, Region: "${AWS::Region}", Metrics: metrics, Stat: stat, Period: 60, View: "timeSeries"}})
	}
	perNode := func(metric string) [][]any {
		var m [][]any
		for _, dn := range b.nodes {
			m = append(m, []any{metricsNamespace, metric, "Node", dn.node.Name})
		}
		return m
	}
	graph("Ready (1 = serving)", "Minimum", perNode("Ready"))
	graph("Blocks behind the fleet", "Maximum", perNode("FleetLagBlocks"))
	graph("Peers", "Average", perNode("Peers"))
	graph("Free disk (%)", "Minimum", perNode("DataDirFreePercent"))
	for _, r := range b.cfg.References {
		var m [][]any
		for _, dn := range b.nodes {
			m = append(m, []any{metricsNamespace, "LagBlocks", "Node", dn.node.Name, "Reference", r.Name})
		}
		graph("Blocks behind "+r.Name, "Maximum", m)
	}
	lb := "${" + idLoadBalancer + ".LoadBalancerFullName}"
	graph("Gateway requests and errors", "Sum", [][]any{
		{"AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb},
		{"AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", lb},
	})
	body, _ := json.Marshal(map[string]any{"widgets": widgets})
	return string(body)
}
