package s3store

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Config says which bucket and prefix a Store uses and how to reach them.
type Config struct {
	// Bucket is the bucket's name.
	Bucket string
	// Prefix is put before every key; a missing trailing slash is added.
	Prefix string
	// Endpoint is the base URL of an S3-compatible server, such as
	// http://127.0.0.1:9000; empty for AWS S3.
	Endpoint string
	// Region is the bucket's region; empty for the SDK's default.
	Region string
	// PathStyle addresses the bucket in the URL's path, not its host.
	PathStyle bool
	// AccessKey and SecretKey, when set, are used instead of the SDK's
	// default credential chain. Both or neither.
	AccessKey string
	SecretKey string
}

// queryKeys are the query keys ParseURL understands.
var queryKeys = []string{"endpoint", "region", "path-style"}

// ParseURL reads a store URL such as
// s3://BUCKET/PREFIX?endpoint=http://127.0.0.1:9000&region=us-east-1&path-style=true.
// The package documentation describes the query keys. Credentials are not
// taken from URLs: a URL carrying user information is refused, and errors
// never repeat the URL.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL; keep only what went wrong.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return Config{}, fmt.Errorf("s3 url: %w", err)
	}
	if u.Scheme != "s3" {
		return Config{}, fmt.Errorf("s3 url: scheme %q, want s3", u.Scheme)
	}
	if u.User != nil {
		return Config{}, errors.New("s3 url: credentials in the URL are not accepted; use the AWS environment or shared config")
	}
	if u.Host == "" {
		return Config{}, errors.New("s3 url: no bucket: want s3://BUCKET/PREFIX")
	}
	cfg := Config{
		Bucket: u.Host,
		Prefix: strings.TrimPrefix(u.Path, "/"),
	}
	q := u.Query()
	for key := range q {
		if !slices.Contains(queryKeys, key) {
			return Config{}, fmt.Errorf("s3 url: unknown query key %q (known: %s)", key, strings.Join(queryKeys, ", "))
		}
	}
	cfg.Endpoint = q.Get("endpoint")
	cfg.Region = q.Get("region")
	if v := q.Get("path-style"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("s3 url: path-style %q: want true or false", v)
		}
		cfg.PathStyle = b
	}
	if err := cfg.check(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// check reports what makes the configuration unusable. Its errors never
// repeat the secret key.
func (c Config) check() error {
	if c.Bucket == "" {
		return errors.New("s3 store: no bucket")
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return errors.New("s3 store: set both the access key and the secret key, or neither")
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("s3 store: endpoint must be an http:// or https:// URL with a host")
		}
		if u.User != nil {
			return errors.New("s3 store: endpoint must not carry credentials")
		}
	}
	return nil
}

// prefix is the configured prefix with one trailing slash, or empty.
func (c Config) prefix() string {
	p := strings.Trim(c.Prefix, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// String names the bucket, prefix and endpoint, never the credentials, so a
// Config can be printed or logged with %v or %+v.
func (c Config) String() string {
	s := "s3://" + c.Bucket + "/" + c.prefix()
	if u, err := url.Parse(c.Endpoint); err == nil && u.Host != "" {
		s += " at " + u.Scheme + "://" + u.Host + u.Path
	}
	return s
}

// GoString keeps %#v from printing the secret key too.
func (c Config) GoString() string { return "s3store.Config(" + c.String() + ")" }
