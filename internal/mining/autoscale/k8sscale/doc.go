// Package k8sscale is the autoscale provider that scales a Kubernetes
// Deployment of miners through its scale subresource
// (/apis/apps/v1/namespaces/NS/deployments/NAME/scale), over plain HTTPS
// to the API server with the pod's service account: no client-go. The
// desired count is the Scale's spec.replicas, the running count its
// status.replicas (the pods the Deployment has, ready or not: the scale
// subresource says no more). The service account needs get and patch on
// deployments/scale.
package k8sscale
