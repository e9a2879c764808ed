package k8sscale

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fakeAPIServer answers the scale subresource of Deployments the way the
// API server does: a bearer token is required (401), an unknown
// Deployment is 404 NotFound, a patch must be a merge patch (415) and
// may not make replicas negative (422 Invalid), other methods are 405;
// refusals carry a Status. status.replicas follows spec.replicas one
// GET later (the pods take a moment).
type fakeAPIServer struct {
	token string

	mu       sync.Mutex
	replicas map[string]*autoscalingv1.Scale // by namespace/name
}

func (f *fakeAPIServer) deploy(namespace, name string, replicas int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replicas[namespace+"/"+name] = &autoscalingv1.Scale{
		TypeMeta:   metav1.TypeMeta{Kind: "Scale", APIVersion: "autoscaling/v1"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, ResourceVersion: "1"},
		Spec:       autoscalingv1.ScaleSpec{Replicas: replicas},
		Status:     autoscalingv1.ScaleStatus{Replicas: replicas, Selector: "app=miner"},
	}
}

func writeStatus(w http.ResponseWriter, code int, reason metav1.StatusReason, msg string, details *metav1.StatusDetails) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Message: msg, Reason: reason, Details: details, Code: int32(code),
	})
}

func (f *fakeAPIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		writeStatus(w, http.StatusUnauthorized, metav1.StatusReasonUnauthorized, "Unauthorized", nil)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale", f.scale)
	mux.ServeHTTP(w, r)
}

func (f *fakeAPIServer) scale(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := r.PathValue("name")
	s, ok := f.replicas[r.PathValue("ns")+"/"+name]
	if !ok {
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, fmt.Sprintf("deployments.apps %q not found", name),
			&metav1.StatusDetails{Name: name, Group: "apps", Kind: "deployments"})
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, s)
		s.Status.Replicas = s.Spec.Replicas
	case http.MethodPatch:
		if ct := r.Header.Get("Content-Type"); ct != "application/merge-patch+json" {
			writeStatus(w, http.StatusUnsupportedMediaType, metav1.StatusReasonUnsupportedMediaType, fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got %q)", ct), nil)
			return
		}
		var patch struct {
			Spec struct {
				Replicas *int32 `json:"replicas"`
			} `json:"spec"`
		}
		if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
			writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, err.Error(), nil)
			return
		}
		if n := patch.Spec.Replicas; n != nil && *n < 0 {
			writeStatus(w, http.StatusUnprocessableEntity, metav1.StatusReasonInvalid,
				fmt.Sprintf("Scale.autoscaling %q is invalid: spec.replicas: Invalid value: %d: must be greater than or equal to 0", name, *n),
				&metav1.StatusDetails{Name: name, Group: "autoscaling", Kind: "Scale"})
			return
		}
		if n := patch.Spec.Replicas; n != nil {
			s.Spec.Replicas = *n
		}
		writeJSON(w, s)
	default:
		writeStatus(w, http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed, fmt.Sprintf("%s is not supported", r.Method), nil)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// startFake serves a fakeAPIServer over TLS on 127.0.0.1 and returns it
// and a service account directory (token, ca.crt) to reach it with; the
// KUBERNETES_SERVICE_HOST and _PORT variables point at it.
func startFake(t *testing.T) (*fakeAPIServer, string) {
	t.Helper()
	f := &fakeAPIServer{token: "test-token", replicas: map[string]*autoscalingv1.Scale{}}
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), ca, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(f.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBERNETES_SERVICE_HOST", host)
	t.Setenv("KUBERNETES_SERVICE_PORT", port)
	return f, dir
}
