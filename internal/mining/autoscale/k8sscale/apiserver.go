package k8sscale

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ServiceAccountDir is where a pod finds its service account's token and
// the cluster's CA certificate.
const ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// ScaleAPI reads and sets a Deployment's scale.
type ScaleAPI interface {
	GetScale(ctx context.Context, namespace, deployment string) (*autoscalingv1.Scale, error)
	SetReplicas(ctx context.Context, namespace, deployment string, replicas int32) (*autoscalingv1.Scale, error)
}

// APIServer is a ScaleAPI over HTTPS to a Kubernetes API server.
type APIServer struct {
	// Server is the API server's URL, https://HOST:PORT.
	Server string
	// TokenFile holds the bearer token; it is read for every request,
	// because a projected service account token is rotated.
	TokenFile string
	// Client makes the requests; it trusts the cluster's CA.
	Client *http.Client
}

// InCluster returns the APIServer a pod reaches through the
// KUBERNETES_SERVICE_HOST and _PORT variables, with its service account.
func InCluster() (*APIServer, error) { return inCluster(ServiceAccountDir) }

func inCluster(dir string) (*APIServer, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, errors.New("kubernetes: not in a cluster (KUBERNETES_SERVICE_HOST or _PORT unset)")
	}
	pem, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return nil, fmt.Errorf("kubernetes: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("kubernetes: no certificate in %s", filepath.Join(dir, "ca.crt"))
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &APIServer{
		Server:    "https://" + net.JoinHostPort(host, port),
		TokenFile: filepath.Join(dir, "token"),
		Client:    &http.Client{Transport: transport, Timeout: 30 * time.Second},
	}, nil
}

// GetScale reads the Deployment's scale.
func (a *APIServer) GetScale(ctx context.Context, namespace, deployment string) (*autoscalingv1.Scale, error) {
	return a.do(ctx, http.MethodGet, namespace, deployment, nil)
}

// SetReplicas patches the Deployment's spec.replicas (a JSON merge
// patch, so no resourceVersion is needed and nothing else changes).
func (a *APIServer) SetReplicas(ctx context.Context, namespace, deployment string, replicas int32) (*autoscalingv1.Scale, error) {
	patch := fmt.Appendf(nil, `{"spec":{"replicas":%d}}`, replicas)
	return a.do(ctx, http.MethodPatch, namespace, deployment, patch)
}

// do sends one request to the scale subresource and decodes the Scale, or
// the Status of a refusal into a *StatusError.
func (a *APIServer) do(ctx context.Context, method, namespace, deployment string, body []byte) (*autoscalingv1.Scale, error) {
	u := fmt.Sprintf("%s/apis/apps/v1/namespaces/%s/deployments/%s/scale",
		strings.TrimSuffix(a.Server, "/"), url.PathEscape(namespace), url.PathEscape(deployment))
	token, err := os.ReadFile(a.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("kubernetes: token: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("kubernetes: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/merge-patch+json")
	}
	resp, err := a.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("kubernetes: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("kubernetes: %s %s: %w", method, u, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, statusError(resp, data)
	}
	var s autoscalingv1.Scale
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("kubernetes: %s %s: %w", method, u, err)
	}
	return &s, nil
}

// StatusError is the API server's refusal, from its Status answer.
type StatusError struct {
	Code    int
	Reason  metav1.StatusReason
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("kubernetes: %s (%d %s)", e.Message, e.Code, e.Reason)
}

// statusError decodes a non-2xx answer's Status, or describes the answer
// when it is not one.
func statusError(resp *http.Response, data []byte) error {
	var st metav1.Status
	if err := json.Unmarshal(data, &st); err != nil || st.Kind != "Status" {
		msg := strings.TrimSpace(string(data))
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return &StatusError{Code: resp.StatusCode, Reason: metav1.StatusReasonUnknown, Message: msg}
	}
	return &StatusError{Code: int(st.Code), Reason: st.Reason, Message: st.Message}
}
