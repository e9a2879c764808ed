// Package render turns one fleet description into what a deploy target
// runs. Its subpackages each render one target:
//
//   - cfn: a CloudFormation template and parameters file (render aws);
//   - k8s: Kubernetes manifests from k8s.io/api typed objects;
//   - compose: a docker compose project for one host.
//
// This package holds what they share: File and Write for the output, and
// the fleet descriptions the gateways and agents run from inside a target
// (GatewayConfig, AgentConfig), where each node is reached at the address
// the target gives it, and those of the mining cluster's pool, miners and
// autoscaler (PoolConfig, MinerConfig, AutoscaleConfig), which a target
// runs when mining.deploy is set.
//
// A rendered file never carries a secret: API keys and reference URLs stay
// ${NAME} references, resolved by the process that reads the file, from an
// environment the target fills (a Kubernetes Secret, SSM Parameter Store,
// compose's .env).
package render
