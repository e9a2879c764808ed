package s3store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ethfleet/ethfleet/internal/await"
	"github.com/ethfleet/ethfleet/internal/snapshot"
)

// The S3 tests run against the server these variables name, as .ci/run
// sets them. Without them, a test starts a MinIO of its own when a minio
// binary is on PATH or in GOPATH/bin, and skips when there is none.
const (
	envURL       = "ETHFLEET_S3_TEST_URL" // s3://BUCKET/PREFIX?endpoint=…&region=…&path-style=true
	envAccessKey = "ETHFLEET_S3_TEST_ACCESS_KEY"
	envSecretKey = "ETHFLEET_S3_TEST_SECRET_KEY"
)

const skipNoServer = "S3 conformance skipped: no S3-compatible server configured " +
	"(set ETHFLEET_S3_TEST_URL; .ci/run starts MinIO) and no minio binary on PATH or in GOPATH/bin to start one"

const testBucket = "ethfleet-test"

// testServer returns the configuration of a bucket the test may use, with
// credentials, creating the bucket if it does not exist. Its Prefix is
// unique to this call, so every test sees an empty store.
func testServer(t *testing.T) Config {
	t.Helper()
	var cfg Config
	if raw := os.Getenv(envURL); raw != "" {
		var err error
		if cfg, err = ParseURL(raw); err != nil {
			t.Fatalf("%s: %v", envURL, err)
		}
		cfg.AccessKey = os.Getenv(envAccessKey)
		cfg.SecretKey = os.Getenv(envSecretKey)
	} else {
		bin := findMinIO()
		if bin == "" {
			t.Skip(skipNoServer)
		}
		cfg = startMinIO(t, bin)
	}
	ensureBucket(t, cfg)
	cfg.Prefix = cfg.prefix() + "ethfleet-test-" + randomHex(t, 6)
	return cfg
}

// findMinIO returns the path of a minio binary on PATH, in GOBIN or in
// GOPATH/bin, where `go install github.com/minio/minio@…` puts it, or "".
func findMinIO() string {
	if path, err := exec.LookPath("minio"); err == nil {
		return path
	}
	dirs := []string{os.Getenv("GOBIN")}
	for _, dir := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(dir, "bin"))
	}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		path := filepath.Join(dir, "minio")
		if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			return path
		}
	}
	return ""
}

// startMinIO runs MinIO on a free loopback port with its data in a
// temporary directory until the test ends, and returns its configuration.
// A port can be taken between choosing it and MinIO binding it, so a
// MinIO that exits at once is started again on another port.
func startMinIO(t *testing.T, bin string) Config {
	t.Helper()
	user, secret := "ethfleet", randomHex(t, 16)
	dataDir := t.TempDir()
	for attempt := 1; ; attempt++ {
		addr := freeAddr(t)
		logPath := filepath.Join(t.TempDir(), "minio.log")
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "server", "--quiet",
			"--address", addr, dataDir) // MINIO_BROWSER=off: no console port
		cmd.Env = append(os.Environ(),
			"MINIO_ROOT_USER="+user,
			"MINIO_ROOT_PASSWORD="+secret,
			"MINIO_BROWSER=off",
			"MINIO_UPDATE=off",
			"MINIO_CI_CD=on",
		)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.SysProcAttr = minioSysProcAttr()
		if err := cmd.Start(); err != nil {
			logFile.Close()
			t.Fatalf("starting %s: %v", bin, err)
		}
		logFile.Close() // the child holds its own copy
		exited := make(chan struct{})
		go func() {
			cmd.Wait()
			close(exited)
		}()
		t.Cleanup(func() { // also when MinIO never became live
			cmd.Process.Signal(os.Interrupt)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
		})

		health := "http://" + addr + "/minio/health/live"
		client := &http.Client{Timeout: time.Second}
		await.True(t, 60*time.Second, "MinIO to answer "+health, func() bool {
			select {
			case <-exited:
				return true
			default:
			}
			resp, err := client.Get(health)
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
		select {
		case <-exited:
			out, _ := os.ReadFile(logPath)
			if attempt < 3 {
				t.Logf("MinIO on %s exited at once, trying other ports:\n%s", addr, out)
				continue
			}
			t.Fatalf("MinIO on %s exited at once:\n%s", addr, out)
		default:
		}

		t.Logf("started %s on %s", bin, addr)
		return Config{
			Bucket:    testBucket,
			Endpoint:  "http://" + addr,
			Region:    "us-east-1",
			PathStyle: true,
			AccessKey: user,
			SecretKey: secret,
		}
	}
}

// ensureBucket creates cfg's bucket unless it exists.
func ensureBucket(t *testing.T, cfg Config) {
	t.Helper()
	ctx := context.Background()
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(cfg.Bucket)})
	if err == nil {
		return
	}
	if !isNotFound(err) {
		t.Fatalf("checking the test bucket %s: %v", cfg, err)
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(cfg.Bucket)}
	if cfg.Region != "" && cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(cfg.Region),
		}
	}
	_, err = s.client.CreateBucket(ctx, in)
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		t.Fatalf("creating the test bucket %s: %v", cfg, err)
	}
}

// newTestStore returns a store for cfg that is emptied when the test ends,
// so a long-lived server does not fill up with test objects.
func newTestStore(t *testing.T, cfg Config) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var keys []string
		err := s.List(ctx, "", func(o snapshot.Object) error {
			keys = append(keys, o.Key)
			return nil
		})
		for _, k := range keys {
			if derr := s.Delete(ctx, k); derr != nil && err == nil {
				err = derr
			}
		}
		if err != nil {
			t.Errorf("emptying %s: %v", s, err)
		}
	})
	return s
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
