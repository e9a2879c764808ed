package stack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.yaml.in/yaml/v3"
)

// MaxTemplateBody is the largest TemplateBody CloudFormation takes in a
// request; a larger template has to be uploaded to S3 first, where it may
// be up to MaxTemplateURL.
const (
	MaxTemplateBody = 51200
	MaxTemplateURL  = 1 << 20
)

// ObjectAPI is the part of Amazon S3 that Fit and Prune use: s3.Client
// has it.
type ObjectAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Uploader puts templates too large for a request into an S3 bucket of
// the stack's region, where CloudFormation reads them.
type Uploader struct {
	API            ObjectAPI
	Bucket, Region string
}

// Fit makes s's template one CloudFormation takes: as rendered when it fits
// in a request; otherwise as compact JSON, which CloudFormation reads as
// well as YAML; otherwise uploaded by up (compact when it could be made
// so), under a key named by its hash, and given as TemplateURL. Without
// up, a template too large for a request is an error that says how to
// deploy it.
func Fit(ctx context.Context, s Stack, up *Uploader) (Stack, error) {
	if len(s.TemplateBody) <= MaxTemplateBody {
		return s, nil
	}
	body, ext := s.TemplateBody, ".yaml"
	if compact, err := CompactJSON(s.TemplateBody); err == nil {
		if len(compact) <= MaxTemplateBody {
			s.TemplateBody = compact
			return s, nil
		}
		body, ext = compact, ".json"
	}
	if up == nil {
		return s, fmt.Errorf("stack: the template of %s is %d bytes (%d at its most compact); CloudFormation takes at most %d in a request: "+
			"set aws.templateBucket to a bucket in the stack's region, and deploy uploads it there", s.Name, len(s.TemplateBody), len(body), MaxTemplateBody)
	}
	if len(body) > MaxTemplateURL {
		return s, fmt.Errorf("stack: the template of %s is %d bytes at its most compact; CloudFormation takes at most %d from S3", s.Name, len(body), MaxTemplateURL)
	}
	sum := sha256.Sum256([]byte(body))
	key := templatePrefix(s.Name) + hex.EncodeToString(sum[:8]) + ext
	_, err := up.API.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(up.Bucket),
		Key:    aws.String(key),
		Body:   strings.NewReader(body),
	})
	if err != nil {
		return s, fmt.Errorf("stack: upload the template of %s to s3://%s/%s: %w", s.Name, up.Bucket, key, err)
	}
	s.TemplateBody, s.TemplateURL = "", "https://"+up.Bucket+".s3."+up.Region+".amazonaws.com/"+key
	return s, nil
}

// CompactJSON rewrites a YAML (or JSON) template as JSON without
// whitespace. ethfleet's templates write the intrinsic functions in their
// long forms (Ref:, Fn::Sub:), which JSON has too; a template with a short
// form (!Ref) has no JSON spelling here and is refused.
func CompactJSON(template string) (string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(template), &root); err != nil {
		return "", fmt.Errorf("stack: read the template: %w", err)
	}
	if tag := localTag(&root); tag != "" {
		return "", fmt.Errorf("stack: the template uses %s, which JSON cannot spell", tag)
	}
	var doc any
	if err := root.Decode(&doc); err != nil {
		return "", fmt.Errorf("stack: read the template: %w", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("stack: the template as JSON: %w", err)
	}
	return string(b), nil
}

// localTag returns the first tag of n's tree that is not one of YAML's own
// (!Ref, say), or "". On its way it keeps unquoted dates
// (AWSTemplateFormatVersion: 2010-09-09) the strings they are to
// CloudFormation.
func localTag(n *yaml.Node) string {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return n.Tag
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!timestamp" {
		n.Tag = "!!str"
	}
	for _, c := range n.Content {
		if tag := localTag(c); tag != "" {
			return tag
		}
	}
	return ""
}
