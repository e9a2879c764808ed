package fleet_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/gorilla/websocket"

	"github.com/ethfleet/ethfleet/internal/config"
	"github.com/ethfleet/ethfleet/internal/fleet/fleettest"
)

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ethfleet test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	f := fleettest.Start(t, fleettest.Options{Configure: func(c *config.Config) {
		c.Gateway.TLS = config.TLS{CertFile: certFile, KeyFile: keyFile}
	}})
	url := strings.Replace(f.GatewayURL(), "http://", "https://", 1)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"result":"0x539"`) {
		t.Errorf("over TLS: %s", body)
	}
	// A WebSocket over TLS is read through the TLS connection, not from
	// its socket: a call and a head.
	wss := strings.Replace(f.GatewayURL(), "http://", "wss://", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rc, err := rpc.DialWebsocketWithDialer(ctx, wss, "", websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var chainID string
	if err := rc.CallContext(ctx, &chainID, "eth_chainId"); err != nil || chainID != "0x539" {
		t.Errorf("eth_chainId over wss: %q %v", chainID, err)
	}
	heads := make(chan map[string]any, 1)
	sub, err := rc.EthSubscribe(ctx, heads, "newHeads")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	select {
	case <-heads:
	case err := <-sub.Err():
		t.Fatalf("newHeads over wss: %v", err)
	case <-ctx.Done():
		t.Fatal("no head over wss within 30 s")
	}
	// Plain HTTP on the TLS port gets Go's "client sent an HTTP request to
	// an HTTPS server", never a JSON-RPC answer.
	resp, err = http.Post(f.GatewayURL(), "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`))
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(body), "0x539") {
			t.Errorf("plain HTTP on the TLS port: %d %s", resp.StatusCode, body)
		}
	}
}

func TestTLSBadCertificateFailsStart(t *testing.T) {
	f := fleettest.New(t, fleettest.Options{Configure: func(c *config.Config) {
		c.Gateway.TLS = config.TLS{CertFile: "/nonexistent/cert.pem", KeyFile: "/nonexistent/key.pem"}
	}})
	if err := f.Start(); err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Fatalf("Start = %v, want a TLS error", err)
	}
}
