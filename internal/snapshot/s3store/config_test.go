package s3store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tt := range []struct {
		raw     string
		want    Config
		wantErr string
	}{
		{raw: "s3://bucket", want: Config{Bucket: "bucket"}},
		{raw: "s3://bucket/", want: Config{Bucket: "bucket"}},
		{raw: "s3://bucket/snapshots/prod", want: Config{Bucket: "bucket", Prefix: "snapshots/prod"}},
		{
			raw: "s3://ethfleet-test/snap/?endpoint=http://127.0.0.1:9000&region=eu-west-1&path-style=true",
			want: Config{Bucket: "ethfleet-test", Prefix: "snap/", Endpoint: "http://127.0.0.1:9000",
				Region: "eu-west-1", PathStyle: true},
		},
		{raw: "s3://b/?path-style=false", want: Config{Bucket: "b"}},
		{raw: "s3://b/?endpoint=https%3A%2F%2Fs3.example.org%2Fbase", want: Config{Bucket: "b", Endpoint: "https://s3.example.org/base"}},
		{raw: "file:///tmp/x", wantErr: `scheme "file"`},
		{raw: "s3:///prefix", wantErr: "no bucket"},
		{raw: "s3://b/?path-style=yes", wantErr: "path-style"},
		{raw: "s3://b/?regoin=us-east-1", wantErr: `unknown query key "regoin"`},
		{raw: "s3://b/?endpoint=127.0.0.1:9000", wantErr: "http:// or https://"},
		{raw: "s3://b/?endpoint=ftp://host", wantErr: "http:// or https://"},
		{raw: "s3://AKIDEXAMPLE:hunter2secret@b/p", wantErr: "credentials in the URL"},
		{raw: "s3://b/?endpoint=http://AKIDEXAMPLE:hunter2secret@127.0.0.1:9000", wantErr: "must not carry credentials"},
		{raw: "s3://AKIDEXAMPLE:hunter2secret@b/%zz", wantErr: "s3 url"},
	} {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseURL(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseURL = %+v, %v; want an error with %q", got, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("the error repeats the secret: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseURL = %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

// TestConfigPrintsNoSecrets checks every way a Config or Store is printed.
func TestConfigPrintsNoSecrets(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	cfg := Config{
		Bucket: "bucket", Prefix: "snap", Endpoint: "http://127.0.0.1:9000/", Region: "us-east-1",
		PathStyle: true, AccessKey: "AKIDACCESSKEY", SecretKey: "hunter2secretkey",
	}
	s, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	const want = "s3://bucket/snap/ at http://127.0.0.1:9000/"
	if got := s.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	for _, str := range []string{
		s.String(), cfg.String(),
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", cfg),
		fmt.Sprintf("%v", s), fmt.Sprintf("%v", &cfg),
	} {
		if strings.Contains(str, "hunter2") || strings.Contains(str, "AKIDACCESSKEY") || strings.Contains(str, "@") {
			t.Errorf("printed with credentials: %s", str)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	for _, tt := range []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"no bucket", Config{Region: "us-east-1"}, "no bucket"},
		{"access key only", Config{Bucket: "b", Region: "us-east-1", AccessKey: "AKID"}, "both"},
		{"secret key only", Config{Bucket: "b", Region: "us-east-1", SecretKey: "hunter2"}, "both"},
		{"no region for AWS", Config{Bucket: "b"}, "no region"},
		{"endpoint with credentials", Config{Bucket: "b", Endpoint: "http://u:hunter2@127.0.0.1:1"}, "credentials"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New: %v; want an error with %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
	// An endpoint without a region signs for us-east-1.
	if _, err := New(context.Background(), Config{Bucket: "b", Endpoint: "http://127.0.0.1:1"}); err != nil {
		t.Errorf("New with an endpoint and no region: %v", err)
	}
}
