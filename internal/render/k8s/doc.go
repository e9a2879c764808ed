// Package k8s renders a fleet description as Kubernetes manifests, built
// from the typed objects of k8s.io/api and the prometheus-operator API and
// written as multi-document YAML, one file per part of the fleet:
//
//	00-namespace.yaml          Namespace, ServiceAccount, the nodes' PodDisruptionBudget
//	10-network-policy.yaml     a NetworkPolicy per node and one for the gateways
//	20-node-NAME.yaml          per node: agent ConfigMap, headless Service, StatefulSet
//	30-gateway.yaml            gateway ConfigMap, Deployment, Service, PodDisruptionBudget
//	40-monitoring.yaml         ServiceMonitors and the PrometheusRule (needs prometheus-operator)
//	50-mining.yaml             with mining.deploy: the DAG's claim, the pool, the miners, the autoscaler
//
// The numbers order `kubectl apply -f DIR`: the namespace first, the
// network policies before any pod exists.
//
// A node is a StatefulSet of one pod: the execution client, the consensus
// client (proof-of-stake networks) and the ethfleet agent share the pod's
// network, so the engine API is reached on 127.0.0.1 and no Service or
// network policy lets anything else reach it. The pod is Ready when the
// agent's /ready says the node is synced. Its headless Service publishes
// not-ready addresses: the gateways and the other agents judge a node
// themselves and must reach it while it syncs.
//
// Choices the manifests make:
//
//   - The engine API's JWT secret is made by an init container into a
//     memory-backed emptyDir that only the pod's containers mount, so it is
//     never written in a manifest nor kept in the API server; it changes
//     when the pod is recreated, and both clients restart with it.
//   - Every container of a pod runs as uid and gid 65532 (the ethfleet
//     image's) with fsGroup 65532: what the snapshot restore writes, the
//     clients can write too. The pinned client images run as any uid given
//     a writable data directory. Capabilities are dropped, privilege
//     escalation is off, seccomp is RuntimeDefault; the namespace enforces
//     the baseline Pod Security Standard.
//   - Secrets stay ${NAME} references in the rendered ConfigMaps; the
//     processes resolve them from environment variables filled from the
//     Secret ethfleet-gateway-keys, one key per NAME (the gateway needs its
//     keys; the agents' are optional). S3 credentials for snapshot restores
//     and the snapshotter come from the optional Secret ethfleet-s3
//     (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), or from IRSA: annotate
//     the ServiceAccount ethfleet with eks.amazonaws.com/role-arn.
//   - The snapshotter (snapshots.snapshotter, with snapshots.store and
//     every) takes its snapshots without any access to the Kubernetes API.
//     Its pod shares one process namespace; an init container copies the
//     static ethfleet binary to an emptyDir, from which the execution
//     container runs `ethfleet hold run --dir /hold -- ENTRYPOINT`: the
//     image's own entrypoint (the catalog's, or execution.entrypoint),
//     started once the agent lets it. When a snapshot is due the agent
//     reports not ready, holds the client back, sends it SIGTERM and waits
//     for it to exit; the kubelet restarts the container, which waits; the
//     agent snapshots the data volume (mounted writable in its container
//     only on this node) and lets the client start. The consensus client
//     keeps running. See internal/hold.
//   - Peer-to-peer ports are not published outside the cluster: the clients
//     dial out, which keeps a serving node synced. The network policies
//     let p2p in from anywhere, so adding a LoadBalancer or NodePort
//     Service per node (and the clients' NAT flags) is all inbound peering
//     needs. RPC, WebSocket, Beacon API and ops ports are open only to pods
//     labelled kubernetes.rpcClientLabel (in any namespace) and to the
//     fleet's own pods; metrics ports to Prometheus pods
//     (app.kubernetes.io/name=prometheus, any namespace).
//   - The mining cluster (mining.deploy): the pool is a Deployment of one
//     behind the Service ethfleet-pool (getWork 8008, stratum 8009), its
//     node mining.node or the first deployed node; only the miners, the
//     autoscaler and RPC clients reach it. The miners' Deployment names no
//     replicas: `ethfleet autoscale` owns the count, through a Role that
//     lets its own service account get and change the scale of that
//     Deployment alone, so applying the manifests again keeps it. The
//     miners share their DAG on a ReadWriteMany claim of
//     mining.deploy.dagStorageClass, and are limited to the cores they hash
//     on.
package k8s
