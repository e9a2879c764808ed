package s3store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ethfleet/ethfleet/internal/snapshot"
)

// Store keeps objects in an S3 bucket under a prefix. It is safe for
// concurrent use.
type Store struct {
	client *s3.Client
	bucket string
	prefix string // empty, or ending in "/"
	name   string // for String and errors: no credentials
}

var _ snapshot.Store = (*Store)(nil)

// New returns a store for cfg. It does not talk to the server: a wrong
// bucket or wrong credentials show in the first call that does.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKey != "" {
		creds := credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, "")
		opts = append(opts, config.WithCredentialsProvider(creds))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 store %s: loading the AWS configuration: %w", cfg, err)
	}
	if awsCfg.Region == "" {
		if cfg.Endpoint == "" {
			return nil, fmt.Errorf("s3 store %s: no region: set region= in the URL or AWS_REGION", cfg)
		}
		// S3-compatible servers sign with some region and most accept any.
		awsCfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.PathStyle
		// Objects put by other tools may carry no checksum: say nothing.
		o.DisableLogOutputChecksumValidationSkipped = true
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			// Not every S3-compatible server knows the CRC checksums the
			// SDK adds by default; send and check them only where required.
			// Chunks are verified by their SHA-256 on restore anyway.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	return &Store{client: client, bucket: cfg.Bucket, prefix: cfg.prefix(), name: cfg.String()}, nil
}

// String names the bucket, prefix and endpoint, never the credentials.
func (s *Store) String() string { return s.name }

// objectKey maps a store key to the bucket's key. Keys must be clean
// slash-separated paths, as for the file store, so that no key names
// anything outside the prefix, even for a server that cleans paths.
func (s *Store) objectKey(key string) (string, error) {
	if key == "" || !fs.ValidPath(key) {
		return "", fmt.Errorf("s3 store: invalid key %q", key)
	}
	return s.prefix + key, nil
}

// where names an object in errors.
func (s *Store) where(key string) string { return "s3://" + s.bucket + "/" + s.prefix + key }

// Put reads the whole body before sending it, so the SDK can sign it,
// checksum it and send it again on a retry; objects are compressed chunks
// of a few MiB at most and small manifests. PutObject is atomic: the object
// is replaced whole or not at all.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	k, err := s.objectKey(key)
	if err != nil {
		return err
	}
	data, err := readBody(r, size)
	if err != nil {
		return fmt.Errorf("s3 store: put %s: %w", s.where(key), err)
	}
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(k),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	})
	if err != nil {
		return fmt.Errorf("s3 store: put %s: %w", s.where(key), err)
	}
	return nil
}

// readBody reads r whole, and exactly size bytes when size is not negative.
func readBody(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return io.ReadAll(r)
	}
	data, err := io.ReadAll(io.LimitReader(r, size+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > size {
		return nil, fmt.Errorf("body longer than the announced %d bytes", size)
	}
	if int64(len(data)) < size {
		return nil, fmt.Errorf("got %d bytes, want %d", len(data), size)
	}
	return data, nil
}

func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(k)})
	if isNotFound(err) {
		return nil, fmt.Errorf("s3 store: %s: %w", s.where(key), snapshot.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("s3 store: get %s: %w", s.where(key), err)
	}
	return out.Body, nil
}

func (s *Store) Stat(ctx context.Context, key string) (snapshot.Object, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return snapshot.Object{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(k)})
	if isNotFound(err) {
		return snapshot.Object{}, fmt.Errorf("s3 store: %s: %w", s.where(key), snapshot.ErrNotFound)
	}
	if err != nil {
		return snapshot.Object{}, fmt.Errorf("s3 store: stat %s: %w", s.where(key), err)
	}
	return snapshot.Object{
		Key:      key,
		Size:     aws.ToInt64(out.ContentLength),
		Modified: aws.ToTime(out.LastModified),
	}, nil
}

// List pages through ListObjectsV2. An error from fn is returned as it is.
func (s *Store) List(ctx context.Context, prefix string, fn func(snapshot.Object) error) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.prefix + prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("s3 store: list %s: %w", s.where(prefix), err)
		}
		for _, o := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(o.Key), s.prefix)
			if key == "" {
				continue // a "folder" object standing for the prefix itself
			}
			err := fn(snapshot.Object{Key: key, Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Delete removes the object; S3 answers a missing key with success, and a
// server that answers 404 is taken to mean the same.
func (s *Store) Delete(ctx context.Context, key string) error {
	k, err := s.objectKey(key)
	if err != nil {
		return err
	}
	_, err = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(k)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("s3 store: delete %s: %w", s.where(key), err)
	}
	return nil
}
