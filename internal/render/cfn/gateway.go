package cfn

import (
	"fmt"
	"strconv"

	"github.com/ethfleet/ethfleet/internal/render"
)

// addGateways adds the gateways' Auto Scaling group, their internal load
// balancer, and rpc.ZONE naming it.
func (b *builder) addGateways() error {
	gw, err := render.GatewayConfig(b.cfg, b.atRoute53)
	if err != nil {
		return fmt.Errorf("cfn: gateway: %w", err)
	}
	b.gatewaySecrets = secretNames(string(gw))
	boot, err := userData(b.hostVars("gateway", b.gatewaySecrets), []hostFile{{name: "gateway.yaml", data: gw}}, prelude+gatewayScript)
	if err != nil {
		return fmt.Errorf("cfn: gateway: %w", err)
	}
	replicas := b.cfg.Gateway.Replicas
	b.launchTemplate("GatewayLaunchTemplate", "GatewayInstanceProfile", []string{idGatewaySG}, LaunchTemplateData{
		InstanceType: b.cfg.AWS.GatewayInstanceType, UserData: boot,
	})
	b.t.add("GatewayGroup", Resource{
		Type:         "AWS::AutoScaling::AutoScalingGroup",
		DependsOn:    []string{"GatewayPolicy"},
		UpdatePolicy: map[string]any{"AutoScalingRollingUpdate": RollingUpdate{MaxBatchSize: 1, MinInstancesInService: replicas - 1}},
		Properties: AutoScalingGroup{
			MinSize: strconv.Itoa(replicas), MaxSize: strconv.Itoa(replicas), DesiredCapacity: strconv.Itoa(replicas),
			VPCZoneIdentifier: b.subnets,
			LaunchTemplate: &LaunchTemplateSpecification{
				LaunchTemplateId: Ref("GatewayLaunchTemplate"), Version: GetAtt("GatewayLaunchTemplate", "LatestVersionNumber"),
			},
			HealthCheckType:        "ELB",
			HealthCheckGracePeriod: 300,
			TargetGroupARNs:        []any{Ref(idTargetGroup)},
			Tags:                   b.groupTags("gateway"),
		},
	})
	b.loadBalancer()
	return nil
}

// loadBalancer adds the internal Application Load Balancer in front of
// the gateways: its target group's health check is the gateway's /ready,
// so a gateway with no fit node gets no traffic. With a certificate it
// serves HTTPS on 443 and redirects HTTP there.
func (b *builder) loadBalancer() {
	b.t.add(idLoadBalancer, Resource{Type: "AWS::ElasticLoadBalancingV2::LoadBalancer", Properties: LoadBalancer{
		Type: "application", Scheme: "internal", Subnets: b.subnets, SecurityGroups: []any{Ref(idLoadBalSG)},
		// WebSocket subscriptions stay open while quiet for an hour.
		LoadBalancerAttributes: []Attribute{{Key: "idle_timeout.timeout_seconds", Value: "3600"}},
	}})
	b.t.add(idTargetGroup, Resource{Type: "AWS::ElasticLoadBalancingV2::TargetGroup", Properties: TargetGroup{
		VpcId: b.vpc, Protocol: "HTTP", Port: render.GatewayPort, TargetType: "instance",
		HealthCheckProtocol: "HTTP", HealthCheckPort: strconv.Itoa(render.OpsPort), HealthCheckPath: "/ready",
		HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
		Matcher:               Matcher{HttpCode: "200"},
		TargetGroupAttributes: []Attribute{{Key: "deregistration_delay.timeout_seconds", Value: "30"}},
	}})
	forward := []Action{{Type: "forward", TargetGroupArn: Ref(idTargetGroup)}}
	http := Listener{LoadBalancerArn: Ref(idLoadBalancer), Protocol: "HTTP", Port: 80, DefaultActions: forward}
	if arn := b.cfg.AWS.CertificateARN; arn != "" {
		http.DefaultActions = []Action{{Type: "redirect", RedirectConfig: &RedirectConfig{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301"}}}
		b.t.add("HTTPSListener", Resource{Type: "AWS::ElasticLoadBalancingV2::Listener", Properties: Listener{
			LoadBalancerArn: Ref(idLoadBalancer), Protocol: "HTTPS", Port: 443,
			SslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", Certificates: []Certificate{{CertificateArn: arn}},
			DefaultActions: forward,
		}})
	}
	b.t.add("HTTPListener", Resource{Type: "AWS::ElasticLoadBalancingV2::Listener", Properties: http})
	b.t.add("RPCRecord", Resource{Type: "AWS::Route53::RecordSet", Properties: RecordSet{
		HostedZoneId: Ref(idZone), Name: "rpc." + b.cfg.AWS.HostedZone, Type: "A",
		AliasTarget: &AliasTarget{
			DNSName: GetAtt(idLoadBalancer, "DNSName"), HostedZoneId: GetAtt(idLoadBalancer, "CanonicalHostedZoneID"),
			EvaluateTargetHealth: true,
		},
	}})
}
