package stacktest

import (
	"context"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Objects is an in-memory S3 of a few buckets for PutObject,
// ListObjectsV2 and DeleteObject, and where the fake CloudFormation reads a
// change set's TemplateURL from, as CloudFormation reads an S3 object at a
// virtual-hosted-style URL (https://BUCKET.s3.REGION.amazonaws.com/KEY).
type Objects struct {
	// Buckets exist; a request for another is NoSuchBucket.
	Buckets []string
	// Denied are operations ("DeleteObject") answered AccessDenied, as
	// for credentials without their permission.
	Denied []string

	mu      sync.Mutex
	objects map[string]object // by "BUCKET/KEY"
	puts    int
}

type object struct {
	data     []byte
	modified time.Time
}

// epoch is when the fake's first object is put; each later put is a
// second after the one before, so LastModified orders them.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// check answers a request for op in bucket as S3 would refuse it, or nil.
func (o *Objects) check(op, bucket string) error {
	switch {
	case slices.Contains(o.Denied, op):
		return &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}
	case !slices.Contains(o.Buckets, bucket):
		return &s3types.NoSuchBucket{Message: aws.String("The specified bucket does not exist")}
	}
	return nil
}

// PutObject stores in.Body under the bucket and key.
func (o *Objects) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	bucket, key := aws.ToString(in.Bucket), aws.ToString(in.Key)
	if err := o.check("PutObject", bucket); err != nil {
		return nil, err
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
		o.objects = map[string]object{}
	}
	o.objects[bucket+"/"+key] = object{data: b, modified: epoch.Add(time.Duration(o.puts) * time.Second)}
	o.puts++
	return &s3.PutObjectOutput{}, nil
}

// ListObjectsV2 lists a bucket's keys under Prefix in UTF-8 binary order,
// at most MaxKeys (default and most 1,000) a page, as S3 does; the next
// page starts after NextContinuationToken.
func (o *Objects) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	bucket := aws.ToString(in.Bucket)
	if err := o.check("ListObjectsV2", bucket); err != nil {
		return nil, err
	}
	limit := 1000
	if m := aws.ToInt32(in.MaxKeys); m > 0 && m < 1000 {
		limit = int(m)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	out := &s3.ListObjectsV2Output{Name: in.Bucket, Prefix: in.Prefix}
	after := aws.ToString(in.ContinuationToken)
	for _, full := range slices.Sorted(maps.Keys(o.objects)) {
		key, ok := strings.CutPrefix(full, bucket+"/")
		if !ok || !strings.HasPrefix(key, aws.ToString(in.Prefix)) || key <= after {
			continue
		}
		if len(out.Contents) == limit {
			out.IsTruncated = aws.Bool(true)
			out.NextContinuationToken = aws.String(*out.Contents[limit-1].Key)
			break
		}
		obj := o.objects[full]
		out.Contents = append(out.Contents, s3types.Object{
			Key: aws.String(key), LastModified: aws.Time(obj.modified), Size: aws.Int64(int64(len(obj.data))),
			ETag: aws.String(strconv.Quote(strconv.Itoa(len(obj.data)))),
		})
	}
	out.KeyCount = aws.Int32(int32(len(out.Contents)))
	return out, nil
}

// DeleteObject removes an object; as in S3, removing one that is not
// there succeeds.
func (o *Objects) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	bucket := aws.ToString(in.Bucket)
	if err := o.check("DeleteObject", bucket); err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.objects, bucket+"/"+aws.ToString(in.Key))
	return &s3.DeleteObjectOutput{}, nil
}

// Object returns what was put under bucket and key.
func (o *Objects) Object(bucket, key string) ([]byte, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	obj, ok := o.objects[bucket+"/"+key]
	return obj.data, ok
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
