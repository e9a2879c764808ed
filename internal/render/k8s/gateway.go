package k8s

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/render"
)

// gateway returns the gateways' manifests: their fleet description, the
// Deployment, the Service clients call and a disruption budget.
func (f *fleet) gateway() ([]any, error) {
	cfg, err := render.GatewayConfig(f.cfg, f.locate)
	if err != nil {
		return nil, fmt.Errorf("k8s: %w", err)
	}
	l := labels(gatewayName, componentGateway)
	sel := selector(gatewayName, componentGateway)
	return []any{
		&corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: f.meta(gatewayName, l),
			Data:       map[string]string{"gateway.yaml": string(cfg)},
		},
		f.gatewayDeployment(cfg),
		&corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: f.meta(gatewayName, l),
			Spec: corev1.ServiceSpec{
				Type:     corev1.ServiceTypeClusterIP,
				Selector: sel,
				Ports: []corev1.ServicePort{
					{Name: "http", Port: render.GatewayPort, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP},
					{Name: "ops", Port: render.OpsPort, TargetPort: intstr.FromString("ops"), Protocol: corev1.ProtocolTCP},
				},
			},
		},
		f.disruptionBudget(gatewayName, componentGateway, sel),
	}, nil
}

// gatewayDeployment runs the gateways spread over hosts and zones. A
// change of their description rolls them: its digest is a pod annotation.
func (f *fleet) gatewayDeployment(cfg []byte) *appsv1.Deployment {
	sum := sha256.Sum256(cfg)
	sel := selector(gatewayName, componentGateway)
	spread := func(key string) corev1.TopologySpreadConstraint {
		return corev1.TopologySpreadConstraint{
			MaxSkew: 1, TopologyKey: key, WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector: &metav1.LabelSelector{MatchLabels: sel},
		}
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: f.meta(gatewayName, labels(gatewayName, componentGateway)),
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(f.cfg.Gateway.Replicas)),
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			// A new gateway is ready before an old one stops.
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: new(intstr.FromInt32(0)),
					MaxSurge:       new(intstr.FromInt32(1)),
				},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      labels(gatewayName, componentGateway),
					Annotations: map[string]string{"ethfleet.io/config-sha256": hex.EncodeToString(sum[:])},
				},
				Spec: corev1.PodSpec{
					ServiceAccountName:            serviceAccount,
					AutomountServiceAccountToken:  new(false),
					TerminationGracePeriodSeconds: new(int64(60)),
					SecurityContext:               podSecurity(),
					TopologySpreadConstraints:     []corev1.TopologySpreadConstraint{spread(corev1.LabelHostname), spread(corev1.LabelTopologyZone)},
					Containers:                    []corev1.Container{f.gatewayContainer(cfg)},
					Volumes: []corev1.Volume{{
						Name: configVolume,
						VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: gatewayName},
						}},
					}},
				},
			},
		},
	}
}

// gatewayContainer runs `ethfleet gateway` with the keys and reference
// URLs its description names from the fleet's Secret: a gateway cannot
// start without them.
func (f *fleet) gatewayContainer(cfg []byte) corev1.Container {
	return corev1.Container{
		Name:  "gateway",
		Image: f.cfg.Kubernetes.Image,
		Args:  []string{"gateway", "--config", configDir + "/gateway.yaml"},
		Ports: []corev1.ContainerPort{
			{Name: "http", ContainerPort: render.GatewayPort, Protocol: corev1.ProtocolTCP},
			{Name: "ops", ContainerPort: render.OpsPort, Protocol: corev1.ProtocolTCP},
		},
		Env:            secretEnv(config.References(string(cfg)), false),
		VolumeMounts:   []corev1.VolumeMount{{Name: configVolume, MountPath: configDir, ReadOnly: true}},
		Resources:      resources(250, 256, 1024),
		ReadinessProbe: readinessProbe(),
		LivenessProbe: &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("ops")}},
			PeriodSeconds:    10,
			TimeoutSeconds:   5,
			FailureThreshold: 6,
		},
		SecurityContext: containerSecurity(true),
	}
}
