// Package cfn renders a fleet description as one CloudFormation template
// (template.yaml) and the parameters to create it with (parameters.json):
// `ethfleet render aws`.
//
// The template is built from small typed structs, one per resource type
// it uses, whose field names are CloudFormation's property names, and
// marshalled in long form (Ref:, Fn::GetAtt:) with sorted keys, so the
// same description always renders the same bytes. No CloudFormation
// library is used: none for Go is maintained.
//
// What the stack holds:
//
//   - a VPC with two public and two private subnets and one NAT gateway,
//     or the existing VPC and private subnets given as parameters;
//   - per node an Auto Scaling group of one instance whose boot script
//     installs docker, provides the data volume (blank, restored from the
//     latest EBS snapshot, or filled from the snapshot store) and runs the
//     clients and `ethfleet agent`; a launch lifecycle hook keeps a new
//     instance out of service until its agent reports ready;
//   - the gateways, an Auto Scaling group behind an internal Application
//     Load Balancer whose health check is the gateway's /ready;
//   - security groups: only peer-to-peer ports are open to the internet;
//     RPC is reached from the exported AccessSecurityGroup, the gateways
//     and the other nodes;
//   - a private Route53 zone where each agent keeps its node's record, and
//     rpc.ZONE naming the load balancer;
//   - IAM roles scoped to this stack's log group, zone, groups, secrets
//     and snapshots; logs, a dashboard and alarms on the agents' metrics;
//   - with mining.deploy, the mining cluster: `ethfleet pool` on one
//     on-demand host behind an internal Network Load Balancer (getWork
//     8008, stratum 8009, reached from AccessSecurityGroup and the
//     miners), `ethfleet autoscale` beside it, allowed to set the desired
//     capacity of the miners' group only, and that group: spot instances
//     of several types from none to mining.autoscale.maxMiners, sharing
//     their DAG on an encrypted EFS file system. The template never sets
//     the miners' desired capacity, so updating the stack leaves the
//     autoscaler's count alone; the parameter MinersOnDemandBase (default
//     0) turns the first miners on-demand when spot capacity runs out.
//
// Secrets never enter the template: API keys and reference URLs stay
// ${NAME} references (written ${!NAME} inside Fn::Sub) that the hosts
// resolve at boot from SSM Parameter Store, /STACK/gateway/NAME.
package cfn
