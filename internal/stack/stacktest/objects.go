package stacktest

import (
	"context"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Objects is an in-memory S3 of a few buckets for PutObject, and where the
// fake CloudFormation reads a change set's TemplateURL from, as
// CloudFormation reads an S3 object at a virtual-hosted-style URL
// (https://BUCKET.s3.REGION.amazonaws.com/KEY).
type Objects struct {
	// Buckets exist; a put into another is NoSuchBucket.
	Buckets []string

	mu      sync.Mutex
	objects map[string][]byte // by "BUCKET/KEY"
}

// PutObject stores in.Body under the bucket and key.
func (o *Objects) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	bucket, key := aws.ToString(in.Bucket), aws.ToString(in.Key)
	if !slices.Contains(o.Buckets, bucket) {
		return nil, &s3types.NoSuchBucket{Message: aws.String("The specified bucket does not exist")}
	}
	if key == "" || in.Body == nil {
		return nil, validationError("PutObject needs a key and a body")
	}
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.objects == nil {
		o.objects = map[string][]byte{}
	}
	o.objects[bucket+"/"+key] = b
	return &s3.PutObjectOutput{}, nil
}

// Object returns what was put under bucket and key.
func (o *Objects) Object(bucket, key string) ([]byte, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.objects[bucket+"/"+key]
	return b, ok
}

// fetch reads the object a TemplateURL names, with CloudFormation's
// answers to a URL that is not S3's or an object that is not there.
func (o *Objects) fetch(templateURL string) (string, error) {
	u, err := url.Parse(templateURL)
	bucket, rest, ok := strings.Cut(u.Host, ".s3.")
	if o == nil || err != nil || u.Scheme != "https" || !ok || !strings.HasSuffix(rest, ".amazonaws.com") {
		return "", validationError("TemplateURL must be a supported URL.")
	}
	b, ok := o.Object(bucket, strings.TrimPrefix(u.Path, "/"))
	if !ok {
		return "", validationError("S3 error: The specified key does not exist.")
	}
	return string(b), nil
}

// templateOf is the template a change set names, checked as CloudFormation
// checks it: exactly one of TemplateBody and TemplateURL, a body of at most
// 51,200 bytes, an object of at most 1 MB.
func (f *Fake) templateOf(body, templateURL *string) (string, error) {
	switch {
	case (body == nil) == (templateURL == nil):
		return "", validationError("Specify exactly one of TemplateBody or TemplateURL.")
	case body != nil && len(*body) > 51200:
		return "", validationError("1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200")
	case body != nil:
		return *body, nil
	}
	t, err := f.Objects.fetch(*templateURL)
	if err == nil && len(t) > 1<<20 {
		err = validationError("Template may not exceed 1048576 bytes in size.")
	}
	return t, err
}
